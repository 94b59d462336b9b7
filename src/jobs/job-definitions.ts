/**
 * The one typed list of jobs: name → queue, payload and default options. A job exists here or nowhere;
 * the registry refuses to boot unless every job has exactly one handler.
 */
import type { JobsOptions } from 'bullmq';
import type { ProviderName } from '../domain/provider-facts.ts';

export const QUEUE_NAMES = ['sync', 'retention', 'dag', 'bulk', 'notify'] as const;
export type QueueName = (typeof QUEUE_NAMES)[number];

export interface JobPayloads {
  /** one full sync of one provider (scheduled by SYNC_CRON, or enqueued by hand) */
  'sync.provider': { provider: ProviderName };
  /** plan and apply retention for every enabled provider (scheduled by RETENTION_CRON) */
  'retention.apply': Record<string, never>;
  /** one poll of a Media Pocket DAG action run; parks itself between polls */
  'dag.poll': { dagRunId: number };
  /** re-enqueues polls for open runs whose poll job was lost */
  'dag.sweep': Record<string, never>;
  /** one chunk of a bulk operation */
  'bulk.chunk': { operationId: number; chunk: number };
  /** deletes finished history older than HISTORY_KEEP_DAYS (scheduled daily) */
  'history.prune': Record<string, never>;
  /**
   * computes the catalog's daily figures (catalog_daily) through today (scheduled hourly); a backfill goes in
   * slices, each run queueing the next with the day it carries on from (`resumeFrom`)
   */
  'catalog.daily': { resumeFrom?: string };
  /** POSTs one notification event to NOTIFY_WEBHOOK_URL; the job id is the event id */
  'notify.deliver': { eventId: string };
}

export type JobName = keyof JobPayloads;

export interface JobDefinition {
  queue: QueueName;
  options: JobsOptions;
}

/** Finished jobs are trimmed by age and by count, so a burst of failures cannot grow Redis without bound. */
const keepHistory = { removeOnComplete: { age: 24 * 3600, count: 1000 }, removeOnFail: { age: 7 * 24 * 3600, count: 1000 } };
const retried = (attempts: number, delay: number): JobsOptions => ({ attempts, backoff: { type: 'exponential', delay } });

export const JOB_DEFINITIONS: { readonly [N in JobName]: JobDefinition } = {
  'sync.provider': { queue: 'sync', options: { ...keepHistory, ...retried(5, 30_000) } },
  'retention.apply': { queue: 'retention', options: { ...keepHistory, ...retried(3, 60_000) } },
  'dag.poll': { queue: 'dag', options: { ...keepHistory, ...retried(10, 5_000) } },
  'dag.sweep': { queue: 'dag', options: { ...keepHistory, attempts: 1 } },
  'bulk.chunk': { queue: 'bulk', options: { ...keepHistory, ...retried(8, 5_000) } },
  // on the retention queue (one job at a time): never side by side with a retention apply
  'history.prune': { queue: 'retention', options: { ...keepHistory, ...retried(3, 60_000) } },
  // on the retention queue too: one job at a time, so two runs in a worker never compute the same days side by
  // side; a run by hand (the CLI) or by another replica waits on one advisory lock, for all the daily figures,
  // taken in each day's transaction. A run computes at most 31 ended days (plus today) and queues the rest behind
  // it, so a first backfill holds up a retention apply for one slice at most; after it, a day or two a run
  'catalog.daily': { queue: 'retention', options: { ...keepHistory, ...retried(3, 60_000) } },
  // its own queue: a slow or failing receiver never holds up sync or retention. 2 s doubling over 12 attempts
  // is about an hour; then the lost-job sweep starts it again each minute until the receiver accepts it
  'notify.deliver': { queue: 'notify', options: { ...keepHistory, ...retried(12, 2_000) } },
};

export const JOB_NAMES = Object.keys(JOB_DEFINITIONS) as JobName[];
