/**
 * Three replicas share the work; the one running the Affogato sync gets SIGTERM mid-way. It parks the job and
 * exits 0; another replica resumes the same run, so every provider's sync completes exactly once (one run each,
 * every job completed) and the catalog is exact.
 */
import { enqueue } from '../../src/jobs/queues.ts';
import { catalogProblems } from '../checks.ts';
import { jobsCompleted, openRunPages, PROVIDERS, syncsFinished } from '../fixtures.ts';
import type { WorkerProcess } from '../processes.ts';
import type { Scenario } from '../scenario.ts';
import { stopGracefully } from '../start-worker.ts';
import { until, within } from '../wait.ts';

const REPLICAS = 3;

export const replicaSigterm: Scenario = {
  name: 'replica-sigterm',
  summary: 'SIGTERM the replica running a sync; it parks and exits 0, another finishes it, once',
  reduced: false,
  async run(stage, verdict) {
    await stage.startSimulator({ counts: { affogato: 4_000, mediapocket: 600, roughy: 600 }, latencyMs: 5 });
    await stage.migrate();
    const env = stage.env({ affogato: 10, mediapocket: 2, roughy: 2 }, { LOG_LEVEL: 'info' });
    const replicas: WorkerProcess[] = [];
    for (let i = 1; i <= REPLICAS; i += 1) replicas.push((await stage.startWorker(`start-${i}`, env)).process);

    const jobs = await Promise.all(PROVIDERS.map((provider) => enqueue(stage.queues, 'sync.provider', { provider })));
    const started = /"provider":"affogato".*"msg":"sync started"/;
    const holder = await until(async () => replicas.find((replica) => started.test(replica.output())), { timeoutMs: 60_000, what: 'a replica starting the Affogato sync' });
    await until(async () => (await openRunPages(stage, 'affogato')) >= 5 || undefined, { timeoutMs: 60_000, pollMs: 50, what: 'the Affogato sync under way' });
    const pagesAtStop = await openRunPages(stage, 'affogato');

    holder.kill('SIGTERM');
    const exit = await within(holder.exited, 60_000);
    if (exit === undefined) {
      verdict.fail(`${holder.label} still running 60 s after SIGTERM\n${holder.tail()}`);
      await holder.killHard();
    } else {
      verdict.expect(exit.code === 0, `${holder.label} ended ${holder.describeExit()} after SIGTERM\n${holder.tail()}`);
      verdict.expect(holder.output().includes('"msg":"worker stopped"'), `${holder.label} did not stop gracefully\n${holder.tail()}`);
    }
    const stoppedAt = Date.now();

    await until(async () => (await syncsFinished(stage, PROVIDERS)) || undefined, { timeoutMs: 120_000, pollMs: 250, what: 'every sync complete after the SIGTERM' });
    const finished = await stage.query<{ at: Date }>('SELECT max(finished_at) AS at FROM sync_runs');
    verdict.recovered(stoppedAt, finished[0]?.at.getTime() ?? Date.now());
    const runs = await stage.query<{ provider: string; n: number }>('SELECT provider, count(*)::int AS n FROM sync_runs GROUP BY provider ORDER BY provider');
    verdict.expect(runs.length === PROVIDERS.length && runs.every((run) => run.n === 1), `sync runs per provider (one each: resumed, not redone): ${JSON.stringify(runs)}`);
    const jobsLeft = await jobsCompleted(stage, jobs.map((job) => job.id ?? ''), 30_000);
    if (jobsLeft !== undefined) verdict.fail(jobsLeft);
    const listed = stage.sim.stats.count('affogato', 'list');
    const pages = Math.ceil(stage.sim.affogato.size() / 50);
    verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
    for (const replica of replicas) await stopGracefully(replica, verdict);
    verdict.note(`${holder.label} stopped at page ${pagesAtStop}; Affogato listing requests ${listed} for ${pages} pages`);
  },
};
