/**
 * Three replicas (`start` ×3) booting at the same moment on a fresh database: migrations applied once, the
 * schedules registered once, every replica ready, and work enqueued afterwards done once.
 *
 * `start` is meant to migrate at boot under an advisory lock (work in progress elsewhere). Until it does, the
 * replicas find no schema: the scenario then runs `migrate` ×3 at once as the stand-in, says so in its notes,
 * and checks the rest.
 */
import { readFileSync } from 'node:fs';
import { loadConfig } from '../../src/config.ts';
import { enqueue } from '../../src/jobs/queues.ts';
import { desiredSchedules } from '../../src/schedulers/schedules.ts';
import { catalogProblems } from '../checks.ts';
import { jobsCompleted, PROVIDERS, syncsFinished } from '../fixtures.ts';
import type { Stage } from '../harness.ts';
import type { Scenario } from '../scenario.ts';
import { readiness, schedulerKeys, stopGracefully } from '../start-worker.ts';
import { until } from '../wait.ts';
import { builtinProviderRegistry } from '../../src/providers/registry.ts';

const JOURNAL = new URL('../../drizzle/meta/_journal.json', import.meta.url);
const REPLICAS = 3;

async function appliedMigrations(stage: Stage): Promise<Array<{ hash: string; n: number }> | undefined> {
  try {
    return await stage.query<{ hash: string; n: number }>('SELECT hash, count(*)::int AS n FROM drizzle.__drizzle_migrations GROUP BY hash');
  } catch {
    // no database or no migrations table yet
    return undefined;
  }
}

export const replicasBoot: Scenario = {
  name: 'replicas-boot',
  summary: 'start ×3 at once on a fresh database: migrations once, schedules once, work done once',
  reduced: false,
  async run(stage, verdict) {
    await stage.startSimulator({ counts: { affogato: 1_500, mediapocket: 400, roughy: 400 }, latencyMs: 5 });
    const env = stage.env({ affogato: 50, mediapocket: 20, roughy: 20 }, { LOG_LEVEL: 'info' });
    const replicas = Array.from({ length: REPLICAS }, (_, i) => stage.spawn(`start-${i + 1}`, ['start'], env));
    const booted = await Promise.allSettled(replicas.map((replica) => replica.waitForOutput(/admin server listening on (http:\/\/\S+)/, 120_000)));
    const adminUrls: string[] = [];
    booted.forEach((result, i) => {
      if (result.status === 'fulfilled') adminUrls.push((result.value[1] ?? '').replace('0.0.0.0', '127.0.0.1'));
      else verdict.fail(`replica ${i + 1} did not boot: ${(result.reason as Error).message}`);
    });
    if (adminUrls.length < REPLICAS) return;

    const expectedMigrations = (JSON.parse(readFileSync(JOURNAL, 'utf8')) as { entries: unknown[] }).entries.length;
    let applied = await appliedMigrations(stage);
    if (applied === undefined || applied.length === 0) {
      verdict.note(`start did not migrate at boot (pending the migrate-at-boot work): stand-in was migrate ×${REPLICAS} at once`);
      const runs = await Promise.all(Array.from({ length: REPLICAS }, (_, i) => stage.run(`migrate-${i + 1}`, ['migrate'], env, 120_000)));
      for (const { process, exit } of runs) verdict.expect(exit.code === 0, `${process.label} ended ${process.describeExit()}\n${process.tail()}`);
      applied = await appliedMigrations(stage);
    } else {
      verdict.note('start migrated at boot');
    }
    verdict.expect(applied?.length === expectedMigrations, `${applied?.length ?? 0} migrations recorded, expected ${expectedMigrations}`);
    verdict.expect((applied ?? []).every((row) => row.n === 1), `a migration recorded more than once: ${JSON.stringify(applied)}`);

    const schedules = await schedulerKeys(stage);
    const configured = desiredSchedules(loadConfig(env, builtinProviderRegistry)).map((schedule) => `${schedule.queue}/${schedule.id}`);
    verdict.expect(
      schedules.length === configured.length && configured.every((key) => schedules.includes(key)),
      `schedules after three boots: ${schedules.join(', ')}; configured: ${configured.join(', ')}`,
    );
    for (const [i, url] of adminUrls.entries()) {
      const ready = await until(async () => ((await readiness(url)) === 'ready' ? 'ready' : undefined), { timeoutMs: 30_000, what: `replica ${i + 1} ready` }).catch(
        async () => readiness(url),
      );
      verdict.expect(ready === 'ready', `replica ${i + 1} /readyz: ${ready}`);
    }

    const jobs = await Promise.all(PROVIDERS.map((provider) => enqueue(stage.queues, 'sync.provider', { provider })));
    await until(async () => (await syncsFinished(stage, PROVIDERS)) || undefined, { timeoutMs: 120_000, pollMs: 250, what: 'the syncs done by the replicas' });
    const runs = await stage.query<{ provider: string; n: number }>('SELECT provider, count(*)::int AS n FROM sync_runs GROUP BY provider');
    verdict.expect(runs.length === PROVIDERS.length && runs.every((run) => run.n === 1), `sync runs per provider: ${JSON.stringify(runs)}`);
    const jobsLeft = await jobsCompleted(stage, jobs.map((job) => job.id ?? ''), 30_000);
    if (jobsLeft !== undefined) verdict.fail(jobsLeft);
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    for (const replica of replicas) await stopGracefully(replica, verdict);
  },
};
