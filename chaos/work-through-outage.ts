/**
 * The interrupted work of the Redis and Postgres scenarios, done by a `start` worker as it is unattended: a sync
 * of every provider, or the scheduled retention apply, with the outage caused mid-way. The worker must survive it,
 * keep its schedules, and complete the work by itself; the time to recover runs from the server being back to the
 * work's last commit. Whatever happened, the operator's own commands then finish what is left, so the
 * catalog and destructive-call checks still say whether anything was lost, half-written or done twice.
 */
import { enqueue } from '../src/jobs/queues.ts';
import { catalogProblems, destructiveProblems, retentionPlan, successfulCallCount } from './checks.ts';
import { applyFinished, errorLines, FAST, jobsCompleted, midApply, openRunPages, prepareRetention, PROVIDERS, syncsFinished, syncToCompletion } from './fixtures.ts';
import type { Stage } from './harness.ts';
import type { Outage } from './outages.ts';
import type { WorkerProcess } from './processes.ts';
import { expectAlive, expectSchedulesBack, schedulerKeys, stopGracefully } from './start-worker.ts';
import type { Verdict } from './verdict.ts';
import { GiveUp, until } from './wait.ts';

/** A worker that re-registers its schedules once a minute, rather than on reconnecting, still passes. */
const SCHEDULES_BACK_WITHIN_MS = 65_000;

async function latest(stage: Stage, sql: string): Promise<number> {
  const rows = await stage.query<{ at: Date | null }>(sql);
  return rows[0]?.at?.getTime() ?? Date.now();
}

/** After the outage the worker must take new work: a job enqueued now (the cheap lost-job sweep) completes. */
async function takesNewWork(stage: Stage, verdict: Verdict, worker: WorkerProcess, outage: Outage): Promise<void> {
  if (!worker.running) return;
  const enqueuedAt = Date.now();
  const job = await enqueue(stage.queues, 'dag.sweep', {});
  const left = await jobsCompleted(stage, [job.id ?? ''], 60_000, 'dag');
  if (left === undefined) verdict.note(`a job enqueued afterwards done in ${((Date.now() - enqueuedAt) / 1000).toFixed(1)} s`);
  else verdict.fail(`a job enqueued after ${outage.describe} was not done: ${left.replace(/ \d+ s after.*/, '')}\n${errorLines(worker).join('\n')}`);
}

/** Waits for the work to be complete again; a failure quotes the worker's state and its error lines. */
async function awaitRecovery(
  verdict: Verdict,
  worker: WorkerProcess,
  outage: Outage,
  backAt: number,
  done: () => Promise<boolean>,
  completedAt: () => Promise<number>,
  timeoutMs: number,
): Promise<boolean> {
  try {
    await until(
      async () => {
        if (await done()) return true;
        // a worker that died cannot finish anything: no point waiting out the deadline
        if (!worker.running) throw new GiveUp(`${worker.label} exited (${worker.describeExit()}): the interrupted work was not completed`);
        return undefined;
      },
      { timeoutMs, pollMs: 250, what: 'the interrupted work complete again' },
    );
    verdict.recovered(backAt, await completedAt());
    return true;
  } catch (error) {
    const evidence = errorLines(worker);
    verdict.fail(
      `${(error as Error).message} after ${outage.describe} (${worker.label} ${worker.describeExit()})${evidence.length > 0 ? `\n${evidence.join('\n')}` : ''}`,
    );
    return false;
  }
}

export async function syncThroughOutage(stage: Stage, verdict: Verdict, outage: Outage): Promise<void> {
  const reduced = stage.settings.reduced;
  // each provider's sync takes several seconds at these rates, so the outage finds all three mid-listing
  await stage.startSimulator({ counts: reduced ? { affogato: 1_200, mediapocket: 400, roughy: 400 } : { affogato: 5_000, mediapocket: 1_500, roughy: 1_500 }, latencyMs: 5 });
  await stage.migrate();
  const env = stage.env(reduced ? { affogato: 5, mediapocket: 1, roughy: 1 } : { affogato: 10, mediapocket: 2, roughy: 2 }, { LOG_LEVEL: 'info' });
  const { process: worker, adminUrl } = await stage.startWorker('start', env);
  const atBoot = await schedulerKeys(stage);
  for (const provider of PROVIDERS) await enqueue(stage.queues, 'sync.provider', { provider });
  await until(
    async () => (await openRunPages(stage, 'affogato')) >= 5 && (await openRunPages(stage, 'mediapocket')) >= 1 && (await openRunPages(stage, 'roughy')) >= 1,
    { timeoutMs: 90_000, pollMs: 50, what: 'every provider mid-sync' },
  );
  const pagesAtFault = await openRunPages(stage, 'affogato');
  const backAt = await outage.cause(stage);

  await awaitRecovery(
    verdict,
    worker,
    outage,
    backAt,
    () => syncsFinished(stage, PROVIDERS),
    () => latest(stage, 'SELECT max(finished_at) AS at FROM sync_runs'),
    reduced ? 90_000 : 150_000,
  );
  await expectAlive(worker, adminUrl, verdict, outage.describe);
  await expectSchedulesBack(stage, verdict, atBoot, SCHEDULES_BACK_WITHIN_MS, outage.describe);
  await takesNewWork(stage, verdict, worker, outage);
  const runs = await stage.query<{ n: number }>('SELECT count(*)::int AS n FROM sync_runs');
  await syncToCompletion(stage, stage.env(FAST), 'sync-final');
  verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
  await stopGracefully(worker, verdict);
  verdict.note(`${outage.describe} with Affogato ${pagesAtFault} pages in; ${runs[0]?.n ?? 0} sync runs before the final sync`);
}

export async function applyThroughOutage(stage: Stage, verdict: Verdict, outage: Outage): Promise<void> {
  const reduced = stage.settings.reduced;
  await stage.startSimulator({ counts: reduced ? { affogato: 200, mediapocket: 800, roughy: 800 } : { affogato: 300, mediapocket: 1_500, roughy: 1_500 }, latencyMs: 40 });
  await stage.migrate();
  const rules = await prepareRetention(stage);
  stage.sim.stats.reset();
  const env = stage.env({ affogato: 25, mediapocket: 25, roughy: 25 }, { RETENTION_RULES: rules, LOG_LEVEL: 'info' });
  const { process: worker, adminUrl } = await stage.startWorker('start', env);
  const atBoot = await schedulerKeys(stage);
  const enqueuedAt = Date.now();
  await enqueue(stage.queues, 'retention.apply', {});
  const atFault = await midApply(stage, 'mediapocket', 120_000);
  const backAt = await outage.cause(stage);

  const recovered = await awaitRecovery(
    verdict,
    worker,
    outage,
    backAt,
    () => applyFinished(stage, enqueuedAt),
    () => latest(stage, "SELECT max(finished_at) AS at FROM retention_runs WHERE mode = 'apply'"),
    // a failed retention.apply job is retried after 60 s
    reduced ? 120_000 : 180_000,
  );
  await expectAlive(worker, adminUrl, verdict, outage.describe);
  await expectSchedulesBack(stage, verdict, atBoot, SCHEDULES_BACK_WITHIN_MS, outage.describe);
  await takesNewWork(stage, verdict, worker, outage);
  if (!recovered) {
    // the operator finishes it, so the checks below still say whether anything was done twice
    const { process, exit } = await stage.run('apply-operator', ['retention', 'apply'], stage.env({ affogato: 25, mediapocket: 25, roughy: 25 }, { RETENTION_RULES: rules }), 240_000);
    verdict.note(`the operator's retention apply ended ${process.describeExit()}${exit.code === 0 ? '' : `\n${process.tail()}`}`);
  }
  const calls = [...stage.sim.stats.destructiveCalls];
  verdict.problems('destructive calls', destructiveProblems(stage.sim, calls, await retentionPlan(stage.pool)));
  await syncToCompletion(stage, stage.env(FAST), 'sync-final');
  verdict.problems('catalog', await catalogProblems(stage.pool, stage.sim, PROVIDERS));
  await stopGracefully(worker, verdict);
  verdict.note(`${outage.describe} with ${atFault.applied ?? 0} applied and ${atFault.in_flight ?? 0} in flight at Media Pocket; ${successfulCallCount(calls)} assets acted on`);
}
