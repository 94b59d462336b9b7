/**
 * A three-provider `sync` killed with SIGKILL at seeded random moments (10 times; 3 in the reduced set), each
 * time run again as an operator would. The run that finally completes must leave the catalog exactly equal to
 * the provider's truth, assets removed since the last sync marked removed and new ones added.
 */
import { createRandom, deriveSeed } from '../../src/simulator/core/seeded.random.ts';
import { catalogProblems } from '../checks.ts';
import { changeTruth, FAST, PROVIDERS, syncRunStates, syncToCompletion } from '../fixtures.ts';
import type { Scenario } from '../scenario.ts';
import { sleep } from '../wait.ts';

export const syncKills: Scenario = {
  name: 'sync-kills',
  summary: 'SIGKILL a three-provider sync at seeded random points; the final sync ends exact',
  reduced: true,
  async run(stage, verdict) {
    const reduced = stage.settings.reduced;
    const kills = reduced ? 3 : 10;
    const counts = reduced ? { affogato: 1_000, mediapocket: 400, roughy: 400 } : { affogato: 5_000, mediapocket: 1_500, roughy: 1_500 };
    await stage.startSimulator({ counts, latencyMs: 5 });
    await stage.migrate();
    await syncToCompletion(stage, stage.env(FAST), 'baseline-sync');
    const random = createRandom(deriveSeed(stage.settings.seed, 'sync-kills'));
    const changed = changeTruth(stage, random, reduced ? 0.01 : 0.02);
    const firstRunId = Math.max(0, ...(await syncRunStates(stage)).map((run) => run.id));

    // slow enough that each process gets a few seconds into the listing before its kill
    const env = stage.env({ affogato: 12, mediapocket: 3, roughy: 3 });
    let lastKillAt = Date.now();
    let completedBeforeKill = 0;
    for (let i = 1; i <= kills; i += 1) {
      const sync = stage.spawn(`sync-kill-${i}`, ['sync'], env);
      await sleep((reduced ? 800 : 1_000) + Math.floor(random() * (reduced ? 1_500 : 2_500)));
      if (!sync.running) {
        completedBeforeKill += 1;
        verdict.expect((await sync.exited).code === 0, `sync ${i} ended on its own before its kill with ${sync.describeExit()}\n${sync.tail()}`);
        continue;
      }
      const exit = await sync.killHard();
      lastKillAt = exit.at;
      verdict.expect(exit.signal === 'SIGKILL', `sync ${i} was meant to be killed, ended ${sync.describeExit()}`);
    }
    const final = await syncToCompletion(stage, env, 'sync-final', 300_000);
    const completeAt = (await final.exited).at;
    verdict.recovered(lastKillAt, completeAt);

    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    const runs = (await syncRunStates(stage)).filter((run) => run.id > firstRunId);
    verdict.expect(
      runs.every((run) => run.state === 'complete'),
      `sync runs after the kills: ${runs.map((run) => `${run.provider}#${run.id} ${run.state}`).join(', ')}`,
    );
    verdict.note(`${kills - completedBeforeKill} kills; truth changed by ${changed.removed} removals and ${changed.added} additions; ${runs.length} sync runs across the kills`);
  },
};
