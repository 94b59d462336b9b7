/**
 * Affogato's listing comes back empty (a well-formed page, total 0) while its assets still exist: the sync ends
 * `partial` with a note, marks nothing removed, and `retention apply` refuses to act on that catalog, sending
 * nothing. Once the listing is back, the next sync is exact.
 */
import { catalogProblems } from '../checks.ts';
import { FAST, prepareRetention, PROVIDERS, syncToCompletion } from '../fixtures.ts';
import type { Stage } from '../harness.ts';
import type { Scenario } from '../scenario.ts';

async function removedCount(stage: Stage): Promise<number> {
  const rows = await stage.query<{ n: number }>("SELECT count(*)::int AS n FROM assets WHERE provider = 'affogato' AND removed_at IS NOT NULL");
  return rows[0]?.n ?? -1;
}

export const emptyListing: Scenario = {
  name: 'empty-listing',
  summary: 'Affogato lists nothing; the run ends partial, nothing marked removed, retention refuses',
  reduced: false,
  async run(stage, verdict) {
    await stage.startSimulator({ counts: { affogato: 600, mediapocket: 300, roughy: 300 }, latencyMs: 5 });
    await stage.migrate();
    const rules = await prepareRetention(stage);
    const env = stage.env(FAST, { RETENTION_RULES: rules });
    const removedBefore = await removedCount(stage);

    stage.sim.setFaults('affogato', { emptyListing: true });
    const faultStart = Date.now();
    const sync = await stage.run('sync-empty', ['sync'], env, 120_000);
    verdict.expect(sync.exit.code === 0, `a partial sync should exit 0; it ended ${sync.process.describeExit()}\n${sync.process.tail()}`);
    verdict.expect(
      sync.process.output().includes('affogato: listing not trusted, nothing marked removed'),
      `no note that Affogato's listing was not trusted\n${sync.process.tail()}`,
    );
    const run = await stage.query<{ state: string; partial_reason: string | null }>(
      "SELECT state, partial_reason FROM sync_runs WHERE provider = 'affogato' ORDER BY id DESC LIMIT 1",
    );
    verdict.expect(run[0]?.state === 'partial', `Affogato's run ended ${run[0]?.state ?? 'nowhere'}, not partial`);
    verdict.expect((await removedCount(stage)) === removedBefore, `assets marked removed by an empty listing: ${(await removedCount(stage)) - removedBefore}`);

    stage.sim.stats.reset();
    const apply = await stage.run('apply-refused', ['retention', 'apply', '--provider', 'affogato'], env, 120_000);
    verdict.expect(apply.exit.code === 1, `retention apply on a partial catalog ended ${apply.process.describeExit()} (expected a refusal, exit 1)\n${apply.process.tail()}`);
    const refusal = await stage.query<{ state: string; refusal: string | null }>(
      "SELECT state, refusal FROM retention_runs WHERE mode = 'apply' AND 'affogato' = ANY (providers) ORDER BY id DESC LIMIT 1",
    );
    verdict.expect(refusal[0]?.state === 'refused', `the apply run was recorded ${refusal[0]?.state ?? 'nowhere'}, not refused`);
    verdict.expect(stage.sim.stats.destructiveCalls.length === 0, `${stage.sim.stats.destructiveCalls.length} destructive calls sent on a partial catalog`);

    stage.sim.setFaults('affogato', undefined);
    const endedAt = Date.now();
    const after = await syncToCompletion(stage, env, 'sync-after');
    verdict.recovered(endedAt, (await after.exited).at);
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    verdict.note(`listing empty for ${((endedAt - faultStart) / 1000).toFixed(1)} s; apply refused: ${(refusal[0]?.refusal ?? '—').split(' (')[0]}`);
  },
};
