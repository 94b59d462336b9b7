/**
 * The worker's schedules as data: which job runs when, derived from the configuration alone. `start` registers
 * exactly this list (src/schedulers/schedule-registration.ts); nothing else creates job schedulers.
 */
import type { Config } from '../config.ts';
import { longestCronGapSeconds } from '../domain/cron-interval.ts';
import { JOB_DEFINITIONS, type JobName, type JobPayloads, type QueueName } from '../jobs/job-definitions.ts';

/** Sweeps for DAG runs whose poll job was lost: often enough that a lost poll costs about a minute. */
export const DAG_SWEEP_CRON = '* * * * *';

/** The daily figures: hourly, at minute 50 (away from the top of the hour, when other schedules tend to fire). */
export const CATALOG_DAILY_CRON = '50 * * * *';

export interface ScheduleSpec<N extends JobName = JobName> {
  /** the BullMQ job scheduler id; stable, so a restart upserts instead of adding a second schedule */
  readonly id: string;
  readonly queue: QueueName;
  readonly jobName: N;
  readonly data: JobPayloads[N];
  readonly pattern: string;
  readonly tz: string;
}

export type AnyScheduleSpec = { [N in JobName]: ScheduleSpec<N> }[JobName];

function spec<N extends JobName>(id: string, jobName: N, data: JobPayloads[N], pattern: string, tz: string): ScheduleSpec<N> {
  return { id, queue: JOB_DEFINITIONS[jobName].queue, jobName, data, pattern, tz };
}

export function desiredSchedules(config: Config): AnyScheduleSpec[] {
  const tz = config.scheduleTz;
  const schedules: AnyScheduleSpec[] = [];
  // config.providers holds the enabled providers in registry order
  for (const [provider, providerConfig] of Object.entries(config.providers)) {
    if (providerConfig !== undefined) schedules.push(spec(`sync:${provider}`, 'sync.provider', { provider }, config.syncCron, tz));
  }
  schedules.push(spec('retention:apply', 'retention.apply', {}, config.retentionCron, tz));
  schedules.push(spec('dag:sweep', 'dag.sweep', {}, DAG_SWEEP_CRON, tz));
  schedules.push(spec('history:prune', 'history.prune', {}, '15 4 * * *', tz)); // daily, after retention's default 03:30
  // hourly: today's figures stay at most an hour old, and yesterday is finalised within the first hour after midnight UTC
  schedules.push(spec('catalog:daily', 'catalog.daily', {}, CATALOG_DAILY_CRON, tz));
  return schedules;
}

/** One readable line per schedule, for the boot log. */
export function describeSchedule(schedule: AnyScheduleSpec): string {
  return `${schedule.id} "${schedule.pattern}" ${schedule.tz}`;
}

/**
 * The longest gap each enabled provider's sync schedule allows between two runs, in seconds, per provider: what
 * the catalog-stale alert compares a catalog's age with (asset_worker_sync_schedule_interval_seconds).
 */
export function syncScheduleIntervals(schedules: readonly AnyScheduleSpec[], from = new Date()): Map<string, number> {
  const intervals = new Map<string, number>();
  // every provider's sync runs on SYNC_CRON in SCHEDULE_TZ (desiredSchedules): one gap, computed at the first
  // provider's schedule (none without one) and given to each
  let seconds: number | undefined;
  for (const schedule of schedules) {
    if (schedule.jobName !== 'sync.provider') continue;
    seconds ??= longestCronGapSeconds(schedule.pattern, { tz: schedule.tz, from });
    intervals.set(schedule.data.provider, seconds);
  }
  return intervals;
}

/**
 * syncScheduleIntervals, computed when first asked for (the first /metrics scrape) and then kept: the look-ahead
 * takes 0.1 – 1.5 s of cron-parser on the event loop, which `start` would otherwise spend before it boots. Measured
 * from that first call; the configuration, hence the answer, does not change while the process runs.
 */
export function lazySyncScheduleIntervals(schedules: readonly AnyScheduleSpec[]): () => ReadonlyMap<string, number> {
  let intervals: ReadonlyMap<string, number> | undefined;
  return () => (intervals ??= syncScheduleIntervals(schedules));
}
