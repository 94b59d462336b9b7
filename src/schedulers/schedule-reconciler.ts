/**
 * Keeps the configured schedules present in Redis while the worker runs. A Redis that restarts empty (or is
 * flushed) loses every job scheduler, and nothing else adds them back before the next boot: scheduled syncs,
 * retention and the DAG sweep would silently stop. So the schedulers are checked on a short period and after
 * every reconnect of the queues' connection, and the missing ones are upserted again.
 *
 * It only adds, never removes: in a rolling deploy two versions with different schedules run side by side, and
 * each removing what the other configured would undo the other's registration at every check. Removing the
 * schedules no longer configured stays with registerSchedules, at boot.
 *
 * Every replica runs one; they may restore the same schedule at the same moment. BullMQ's upsert is one Lua
 * script, and the next job's id is `repeat:<scheduler id>:<next millis>`: a second upsert finds the first one's
 * scheduler and replaces its next job instead of adding one, so the schedule exists once, with one next job.
 * (Two upserts straddling a tick replace that tick's job with the next one: after a Redis loss, that one tick
 * may be skipped.)
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.ts';
import type { QueueName } from '../jobs/job-definitions.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import { upsertSchedule } from './schedule-registration.ts';
import type { AnyScheduleSpec } from './schedules.ts';

/** How often the schedulers are compared with the configured list: a lost schedule is back within this. */
export const SCHEDULE_CHECK_MS = 15_000;
/** A pass takes milliseconds when Redis answers; when it does not, stopping leaves it to fail with the connection. */
const STOP_WAIT_MS = 5_000;

/** What readiness and metrics need: the schedules absent now, and why the last attempt to restore them failed. */
export interface ScheduleCheck {
  /** ids of the configured schedules that have no job scheduler in Redis; rejects when Redis does not answer */
  findMissing(): Promise<string[]>;
  lastFailure(): string | undefined;
}

export interface ReconcileOutcome {
  /** ids of the schedules found missing and upserted by this pass */
  restored: string[];
  /** why the pass failed, if it did; the next check tries again */
  failure?: string;
}

export interface ScheduleReconciler extends ScheduleCheck {
  /** checks now and restores what is missing; never rejects. Passes never overlap: a call during a pass runs one after it. */
  reconcile(): Promise<ReconcileOutcome>;
  /** no pass starts after this; waits a little for the running one */
  stop(): Promise<void>;
}

export interface ScheduleReconcilerOptions {
  queues: Queues;
  schedules: readonly AnyScheduleSpec[];
  /** the connection the queues use: its 'ready' after a reconnect may be a Redis that came back empty */
  connection: Redis;
  logger: Logger;
  periodMs?: number;
}

export async function findMissingSchedules(queues: Queues, schedules: readonly AnyScheduleSpec[]): Promise<AnyScheduleSpec[]> {
  const queueNames = [...new Set(schedules.map((schedule) => schedule.queue))];
  const present = new Map<QueueName, Set<string>>();
  await Promise.all(
    queueNames.map(async (queueName) => {
      const schedulers = await queues[queueName].getJobSchedulers();
      present.set(queueName, new Set(schedulers.map((scheduler) => scheduler.key)));
    }),
  );
  return schedules.filter((schedule) => present.get(schedule.queue)?.has(schedule.id) !== true);
}

export function startScheduleReconciler(options: ScheduleReconcilerOptions): ScheduleReconciler {
  const { queues, schedules, connection, logger } = options;
  let stopped = false;
  let failure: string | undefined;
  let current: Promise<ReconcileOutcome> | undefined;
  let next: Promise<ReconcileOutcome> | undefined;

  const pass = async (): Promise<ReconcileOutcome> => {
    const restored: string[] = [];
    try {
      const missing = stopped ? [] : await findMissingSchedules(queues, schedules);
      for (const schedule of missing) {
        if (stopped) break;
        await upsertSchedule(queues, schedule);
        restored.push(schedule.id);
      }
      if (restored.length > 0) logger.warn({ restored }, 'configured schedules were missing from Redis (emptied or restarted); restored them');
      failure = undefined;
      return { restored };
    } catch (error) {
      // Redis being down is reported by the connection's own error log: one line when checks start failing, not one per check
      const firstFailure = failure === undefined;
      failure = errorMessage(error);
      const fields = { error: failure, restored, retryInMs: options.periodMs ?? SCHEDULE_CHECK_MS };
      if (firstFailure) logger.warn(fields, 'could not check or restore the schedules; retrying');
      else logger.debug(fields, 'could not check or restore the schedules; retrying');
      return { restored, failure };
    }
  };

  const reconcile = (): Promise<ReconcileOutcome> => {
    if (current === undefined) {
      current = pass().finally(() => (current = undefined));
      return current;
    }
    // the running pass may have read Redis before what prompted this call: one more pass after it, shared by every caller meanwhile
    next ??= current.then(() => {
      next = undefined;
      return reconcile();
    });
    return next;
  };

  const onReady = () => void reconcile();
  connection.on('ready', onReady);
  const timer = setInterval(onReady, options.periodMs ?? SCHEDULE_CHECK_MS);
  timer.unref();

  return {
    reconcile,
    findMissing: async () => (await findMissingSchedules(queues, schedules)).map((schedule) => schedule.id),
    lastFailure: () => failure,
    async stop() {
      stopped = true;
      clearInterval(timer);
      connection.off('ready', onReady);
      let waited: NodeJS.Timeout | undefined;
      const bound = new Promise<void>((resolve) => (waited = setTimeout(resolve, STOP_WAIT_MS)));
      await Promise.race([Promise.all([current, next]), bound]);
      clearTimeout(waited);
    },
  };
}
