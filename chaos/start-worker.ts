/**
 * What the `start` scenarios share: a worker booted as in production, its schedules (BullMQ job schedulers,
 * compared before and after a fault), its readiness, and its graceful stop.
 */
import { QUEUE_NAMES } from '../src/jobs/job-definitions.ts';
import type { Stage } from './harness.ts';
import type { WorkerProcess } from './processes.ts';
import type { Verdict } from './verdict.ts';
import { until, within } from './wait.ts';

/** The registered job schedulers, as `queue/id`, sorted. */
export async function schedulerKeys(stage: Stage): Promise<string[]> {
  const perQueue = await Promise.all(
    QUEUE_NAMES.map(async (queue) => (await stage.queues[queue].getJobSchedulers()).map((scheduler) => `${queue}/${scheduler.key}`)),
  );
  return perQueue.flat().sort();
}

/** Waits until the schedulers are those registered at boot again; a failure names what is missing. */
export async function expectSchedulesBack(stage: Stage, verdict: Verdict, atBoot: readonly string[], timeoutMs: number, after: string): Promise<void> {
  let present: string[] = [];
  try {
    await until(
      async () => {
        present = await schedulerKeys(stage);
        return atBoot.every((key) => present.includes(key)) || undefined;
      },
      { timeoutMs, pollMs: 250, what: 'schedules registered again' },
    );
  } catch {
    const missing = atBoot.filter((key) => !present.includes(key));
    verdict.fail(`schedules lost: ${missing.join(', ')} not registered ${Math.round(timeoutMs / 1000)} s after ${after} (present: ${present.join(', ') || 'none'})`);
  }
}

export async function readiness(adminUrl: string): Promise<string> {
  try {
    const response = await within(fetch(`${adminUrl}/readyz`), 5_000);
    if (response === undefined) return 'no answer within 5 s';
    return response.status === 200 ? 'ready' : `${response.status} ${await response.text()}`;
  } catch (error) {
    return `unreachable (${(error as Error).message})`;
  }
}

/** SIGTERM, then a graceful exit 0 within `timeoutMs` (a stuck or failed stop is a failure). */
export async function stopGracefully(worker: WorkerProcess, verdict: Verdict, timeoutMs = 60_000): Promise<void> {
  if (!worker.running) return;
  worker.kill('SIGTERM');
  const exit = await within(worker.exited, timeoutMs);
  if (exit === undefined) {
    verdict.fail(`${worker.label} did not stop within ${timeoutMs / 1000} s of SIGTERM\n${worker.tail()}`);
    await worker.killHard();
    return;
  }
  verdict.expect(exit.code === 0, `${worker.label} stopped with ${worker.describeExit()} after SIGTERM\n${worker.tail()}`);
}

/** A worker that must have survived a fault: still running and ready. */
export async function expectAlive(worker: WorkerProcess, adminUrl: string, verdict: Verdict, fault: string): Promise<boolean> {
  if (!worker.running) {
    verdict.fail(`${worker.label} exited (${worker.describeExit()}) after ${fault}:\n${worker.tail(8)}`);
    return false;
  }
  const ready = await readiness(adminUrl);
  return verdict.expect(ready === 'ready', `${worker.label} not ready after ${fault}: /readyz ${ready}`);
}
