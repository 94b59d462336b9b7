/**
 * Two bulk operations (`bulk trash` at Media Pocket, `bulk delete` at Roughy, both `--wait`) killed with SIGKILL
 * part-way, then resumed with `bulk status ID --wait`: every item acted on once, each call in the operation's
 * items, and a final sync finds the catalog exact.
 */
import type { SimProvider } from '../../src/simulator/simulator.ts';
import { bulkPlan, catalogProblems, destructiveProblems, successfulCallCount } from '../checks.ts';
import { FAST, PROVIDERS, syncToCompletion } from '../fixtures.ts';
import type { Stage } from '../harness.ts';
import type { Scenario } from '../scenario.ts';
import { until } from '../wait.ts';

async function operationOf(stage: Stage, provider: SimProvider): Promise<number | undefined> {
  const rows = await stage.query<{ id: number }>('SELECT id FROM bulk_operations WHERE provider = $1 ORDER BY id DESC LIMIT 1', [provider]);
  return rows[0]?.id;
}

async function doneItems(stage: Stage, operationId: number): Promise<number> {
  const rows = await stage.query<{ n: number }>("SELECT count(*)::int AS n FROM bulk_items WHERE operation_id = $1 AND state = 'done'", [operationId]);
  return rows[0]?.n ?? 0;
}

export const killBulk: Scenario = {
  name: 'kill-bulk',
  summary: 'SIGKILL two bulk --wait commands mid-way; bulk status --wait finishes each item exactly once',
  reduced: false,
  async run(stage, verdict) {
    const items = stage.settings.reduced ? 60 : 150;
    await stage.startSimulator({ counts: { affogato: 100, mediapocket: items * 2, roughy: items * 2 }, latencyMs: 20 });
    await stage.migrate();
    await syncToCompletion(stage, stage.env(FAST), 'setup-sync');
    stage.sim.stats.reset();
    // about 15 items a second: several seconds per operation
    const env = stage.env({ affogato: 100, mediapocket: 15, roughy: 15 });
    const targets: Array<{ provider: SimProvider; action: string; ids: string[] }> = [
      { provider: 'mediapocket', action: 'trash', ids: stage.sim.mediapocket.ids().slice(0, items) },
      { provider: 'roughy', action: 'delete', ids: stage.sim.roughy.ids().slice(0, items) },
    ];
    const running = targets.map((target) =>
      stage.spawn(`bulk-${target.action}-killed`, ['bulk', target.action, '--provider', target.provider, '--ids', target.ids.join(','), '--wait'], env),
    );
    const operations = await Promise.all(
      targets.map((target) => until(() => operationOf(stage, target.provider), { timeoutMs: 60_000, what: `the ${target.provider} bulk operation recorded` })),
    );
    await until(async () => (await Promise.all(operations.map((id) => doneItems(stage, id)))).every((done) => done >= 20), {
      timeoutMs: 120_000,
      what: '20 items done in each operation',
    });
    const kills = await Promise.all(running.map((process) => process.killHard()));
    const doneAtKill = await Promise.all(operations.map((id) => doneItems(stage, id)));
    running.forEach((process, i) => verdict.expect(kills[i]?.signal === 'SIGKILL', `${process.label} ended ${process.describeExit()} before its kill`));

    const resumed = await Promise.all(operations.map((id) => stage.run(`bulk-status-${id}`, ['bulk', 'status', String(id), '--wait'], env, 240_000)));
    verdict.recovered(Math.max(...kills.map((kill) => kill.at)), Math.max(...resumed.map((r) => r.exit.at)));
    for (const { process, exit } of resumed) {
      verdict.expect(exit.code === 0, `${process.label} ended ${process.describeExit()}\n${process.tail()}`);
      verdict.expect(new RegExp(`final counts: ${items} done, 0 failed`).test(process.output()), `${process.label} did not report ${items} done\n${process.tail()}`);
    }
    const calls = [...stage.sim.stats.destructiveCalls];
    verdict.problems('destructive calls', destructiveProblems(stage.sim, calls, await bulkPlan(stage.pool, operations)));
    await syncToCompletion(stage, stage.env(FAST), 'sync-final');
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    verdict.note(`killed with ${doneAtKill.join(' and ')} of ${items} items done; ${successfulCallCount(calls)} assets acted on`);
  },
};
