/**
 * Registers the desired schedules with BullMQ job schedulers (idempotent upserts) and removes every other
 * scheduler on the worker's queues, e.g. the sync schedule of a provider that has since been disabled.
 */
import type { Logger } from '../logger.ts';
import { JOB_DEFINITIONS, QUEUE_NAMES } from '../jobs/job-definitions.ts';
import type { Queues } from '../jobs/queues.ts';
import type { AnyScheduleSpec } from './schedules.ts';

export interface RegistrationResult {
  upserted: string[];
  removed: string[];
}

/** Creates the scheduler, or brings an existing one to this pattern and template; its next job is (re)placed. */
export async function upsertSchedule(queues: Queues, schedule: AnyScheduleSpec): Promise<void> {
  // the template carries the job's retry and history options, as an enqueued job of that name would
  const { attempts, backoff, removeOnComplete, removeOnFail } = JOB_DEFINITIONS[schedule.jobName].options;
  await queues[schedule.queue].upsertJobScheduler(
    schedule.id,
    { pattern: schedule.pattern, tz: schedule.tz },
    { name: schedule.jobName, data: schedule.data, opts: { attempts, backoff, removeOnComplete, removeOnFail } },
  );
}

export async function registerSchedules(queues: Queues, schedules: readonly AnyScheduleSpec[], logger: Logger): Promise<RegistrationResult> {
  const wanted = new Set(schedules.map((schedule) => `${schedule.queue}/${schedule.id}`));
  const removed: string[] = [];
  for (const queueName of QUEUE_NAMES) {
    const queue = queues[queueName];
    const existing = await queue.getJobSchedulers();
    for (const scheduler of existing) {
      if (wanted.has(`${queueName}/${scheduler.key}`)) continue;
      await queue.removeJobScheduler(scheduler.key);
      removed.push(scheduler.key);
      logger.info({ queue: queueName, scheduler: scheduler.key }, 'removed a schedule that is no longer configured');
    }
  }
  for (const schedule of schedules) await upsertSchedule(queues, schedule);
  return { upserted: schedules.map((schedule) => schedule.id), removed };
}
