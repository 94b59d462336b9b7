/**
 * `retention apply` killed with SIGKILL while its calls are in flight, then run again: the interrupted run is
 * finished (its in-flight actions settled by lookup, never sent again), every destructive call was planned and
 * none was sent twice, and a final sync finds the catalog exact.
 */
import { catalogProblems, destructiveProblems, retentionPlan, successfulCallCount } from '../checks.ts';
import { FAST, midApply, prepareRetention, PROVIDERS, syncToCompletion } from '../fixtures.ts';
import type { Scenario } from '../scenario.ts';

export const killApply: Scenario = {
  name: 'kill-apply',
  summary: 'SIGKILL retention apply mid-way; the re-run finishes the run, every call planned, none twice',
  reduced: false,
  async run(stage, verdict) {
    const reduced = stage.settings.reduced;
    // every answer takes 40 ms and 25 requests a second may go out: slow enough to be caught mid-way
    await stage.startSimulator({ counts: reduced ? { affogato: 200, mediapocket: 800, roughy: 800 } : { affogato: 300, mediapocket: 1_500, roughy: 1_500 }, latencyMs: 40 });
    await stage.migrate();
    const rules = await prepareRetention(stage);
    stage.sim.stats.reset();
    const env = stage.env({ affogato: 25, mediapocket: 25, roughy: 25 }, { RETENTION_RULES: rules });

    const first = stage.spawn('apply-killed', ['retention', 'apply'], env);
    const atKill = await midApply(stage, 'mediapocket', 120_000);
    const killed = await first.killHard();
    verdict.expect(killed.signal === 'SIGKILL', `apply ended ${first.describeExit()} before its kill`);

    const { process: rerun, exit } = await stage.run('apply-rerun', ['retention', 'apply'], env, 240_000);
    verdict.recovered(killed.at, exit.at);
    verdict.expect(exit.code === 0, `the re-run of apply ended ${rerun.describeExit()}\n${rerun.tail()}`);
    verdict.expect(rerun.output().includes('(resumed)'), `the re-run did not finish the interrupted run (no "(resumed)")\n${rerun.tail()}`);

    const calls = [...stage.sim.stats.destructiveCalls];
    verdict.problems('destructive calls', destructiveProblems(stage.sim, calls, await retentionPlan(stage.pool)));
    await syncToCompletion(stage, stage.env(FAST), 'sync-final');
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    verdict.note(`killed with ${atKill.applied ?? 0} applied and ${atKill.in_flight ?? 0} in flight at Media Pocket; ${successfulCallCount(calls)} assets acted on`);
  },
};
