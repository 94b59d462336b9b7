/**
 * Affogato answers an HTML 502 page to every request for a minute (a few seconds in the reduced set), starting
 * mid-sync: the sync fails with a clear error naming the provider and the answer, the other providers complete,
 * nothing of Affogato's catalog is lost or half-written (no row marked removed, every row written whole), and
 * the sync after the minute is exact.
 */
import { isDeepStrictEqual } from 'node:util';
import { createRandom, deriveSeed } from '../../src/simulator/core/seeded.random.ts';
import { catalogProblems } from '../checks.ts';
import { changeTruth, FAST, openRunPages, PROVIDERS, syncToCompletion } from '../fixtures.ts';
import type { Stage } from '../harness.ts';
import type { Scenario } from '../scenario.ts';
import { sleep, until } from '../wait.ts';

/** Affogato rows that a failed sync left wrong: marked removed though present, or not the provider's payload. */
async function halfWritten(stage: Stage): Promise<string[]> {
  const rows = await stage.query<{ asset_id: string; removed_at: Date | null; raw: unknown }>(
    "SELECT asset_id, removed_at, raw FROM catalog_assets WHERE provider = 'affogato'",
  );
  const problems: string[] = [];
  for (const row of rows) {
    const asset = stage.sim.affogato.get(row.asset_id);
    if (row.removed_at !== null) problems.push(`${row.asset_id} marked removed`);
    else if (asset !== undefined && !isDeepStrictEqual(row.raw, JSON.parse(JSON.stringify(asset)))) problems.push(`${row.asset_id} raw differs`);
  }
  return problems.slice(0, 3).concat(problems.length > 3 ? [`… ${problems.length} in all`] : []);
}

export const htmlAnswers: Scenario = {
  name: 'html-answers',
  summary: 'Affogato answers HTML 502 for a minute mid-sync; a clear error, nothing lost or half-written, the next sync exact',
  reduced: false,
  async run(stage, verdict) {
    const faultMs = stage.settings.reduced ? 5_000 : 60_000;
    await stage.startSimulator({ counts: { affogato: 3_000, mediapocket: 500, roughy: 500 }, latencyMs: 5 });
    await stage.migrate();
    await syncToCompletion(stage, stage.env(FAST), 'baseline-sync');
    changeTruth(stage, createRandom(deriveSeed(stage.settings.seed, 'html-answers')));
    const env = stage.env({ affogato: 20, mediapocket: 50, roughy: 50 });

    const sync = stage.spawn('sync', ['sync'], env);
    await until(async () => (await openRunPages(stage, 'affogato')) >= 5 || undefined, { timeoutMs: 60_000, pollMs: 50, what: 'the Affogato sync under way' });
    stage.sim.setFaults('affogato', { rate502Html: 1 });
    const faultStart = Date.now();
    const exit = await sync.finish(faultMs + 120_000);
    if (exit.at - faultStart < faultMs) {
      verdict.expect(exit.code === 1, `the sync ended ${sync.describeExit()} while Affogato answered HTML (expected exit 1)\n${sync.tail()}`);
      const clear = /affogato: .*HTTP 502 with a non-JSON body \(text\/html\)/.test(sync.output());
      verdict.expect(clear, `no clear error naming Affogato's HTML 502 answer in the sync's output\n${sync.tail()}`);
      verdict.expect(!/^\s+at /m.test(sync.output()), `the sync printed a stack trace\n${sync.tail()}`);
      const others = await stage.query<{ provider: string; state: string }>(
        "SELECT DISTINCT ON (provider) provider, state FROM sync_runs WHERE provider <> 'affogato' ORDER BY provider, id DESC",
      );
      verdict.expect(others.length === 2 && others.every((run) => run.state === 'complete'), `the other providers' syncs: ${JSON.stringify(others)}`);
    } else {
      verdict.note('the sync outlasted the fault (its retries spanned it)');
    }
    const left = await stage.query<{ state: string }>("SELECT state FROM sync_runs WHERE provider = 'affogato' ORDER BY id DESC LIMIT 1");
    verdict.problems('Affogato catalog after the failed sync', await halfWritten(stage));
    const quarantined = await stage.query<{ n: number }>('SELECT count(*)::int AS n FROM quarantine');
    verdict.expect((quarantined[0]?.n ?? 0) === 0, `${quarantined[0]?.n} records quarantined from HTML answers`);

    await sleep(Math.max(0, faultStart + faultMs - Date.now()));
    stage.sim.setFaults('affogato', undefined);
    const endedAt = Date.now();
    const final = await syncToCompletion(stage, env, 'sync-after');
    verdict.recovered(endedAt, (await final.exited).at);
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    verdict.note(`the sync ended ${((exit.at - faultStart) / 1000).toFixed(1)} s into the fault, leaving its Affogato run ${left[0]?.state ?? '?'}`);
  },
};
