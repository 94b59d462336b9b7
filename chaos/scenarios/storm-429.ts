/**
 * Every provider answers 429 (Retry-After 2 s) to every request for 60 s (a few seconds in the reduced set) in
 * the middle of a `sync`: the worker waits the storm out instead of failing or hammering, then finishes, and the
 * catalog is exact.
 */
import { catalogProblems } from '../checks.ts';
import { openRunPages, PROVIDERS } from '../fixtures.ts';
import type { Scenario } from '../scenario.ts';
import { sleep, until } from '../wait.ts';

const RETRY_AFTER_SECONDS = 2;

export const storm429: Scenario = {
  name: 'storm-429',
  summary: 'every provider answers 429 for 60 s mid-sync; the sync waits, finishes, and is exact',
  reduced: false,
  async run(stage, verdict) {
    const stormMs = stage.settings.reduced ? 5_000 : 60_000;
    await stage.startSimulator({ counts: { affogato: 3_000, mediapocket: 800, roughy: 800 }, latencyMs: 5 });
    await stage.migrate();
    const sync = stage.spawn('sync', ['sync'], stage.env({ affogato: 20, mediapocket: 2, roughy: 2 }));
    await until(async () => (await openRunPages(stage, 'affogato')) >= 5 || undefined, { timeoutMs: 60_000, pollMs: 50, what: 'the sync under way' });

    const servedBefore = stage.sim.stats.served429;
    for (const provider of PROVIDERS) stage.sim.setFaults(provider, { rate429: 1, retryAfterSeconds: RETRY_AFTER_SECONDS });
    await sleep(stormMs);
    for (const provider of PROVIDERS) stage.sim.setFaults(provider, undefined);
    const endedAt = Date.now();
    const served = stage.sim.stats.served429 - servedBefore;
    verdict.expect(sync.running, `the sync did not wait out the storm: it ended ${sync.describeExit()} during it\n${sync.tail()}`);

    const exit = await sync.finish(180_000);
    verdict.recovered(endedAt, exit.at);
    verdict.expect(exit.code === 0, `the sync ended ${sync.describeExit()} after the storm\n${sync.tail()}`);
    // waiting means a few requests per provider per Retry-After window, not a retry loop (16 connections each)
    const ceiling = PROVIDERS.length * 16 * Math.ceil(stormMs / (RETRY_AFTER_SECONDS * 1000) + 1);
    verdict.expect(served <= ceiling, `${served} requests answered 429 during a ${stormMs / 1000} s storm: more than ${ceiling}, the worker did not wait`);
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    verdict.note(`${served} 429s served in ${stormMs / 1000} s (Retry-After ${RETRY_AFTER_SECONDS} s)`);
  },
};
