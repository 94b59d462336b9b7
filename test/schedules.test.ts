/**
 * Schedules as data, registered as BullMQ job schedulers on a real Redis (own prefix).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { QUEUE_NAMES } from '../src/jobs/job-definitions.ts';
import { closeQueues, createQueues, type Queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { startScheduleReconciler } from '../src/schedulers/schedule-reconciler.ts';
import { registerSchedules, upsertSchedule } from '../src/schedulers/schedule-registration.ts';
import { desiredSchedules, lazySyncScheduleIntervals, syncScheduleIntervals, type AnyScheduleSpec } from '../src/schedulers/schedules.ts';
import { clearPrefix, createRedis, testQueuePrefix } from './support/services.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';

const logger = createLogger('silent');
const baseEnv = {
  AFFOGATO_API_KEY: 'a-key',
  ROUGHY_API_KEY: 'r-key',
  SYNC_CRON: '0 3 * * *',
  RETENTION_CRON: '30 4 * * 1',
  SCHEDULE_TZ: 'Europe/Helsinki',
};

async function schedulersOf(queues: Queues) {
  const all = await Promise.all(QUEUE_NAMES.map(async (queue) => (await queues[queue].getJobSchedulers()).map((s) => ({ queue, ...s }))));
  return all.flat().sort((a, b) => a.key.localeCompare(b.key));
}

async function delayedJobs(queues: Queues) {
  const all = await Promise.all(QUEUE_NAMES.map((queue) => queues[queue].getDelayed()));
  return all.flat().map((job) => ({ name: job.name, data: job.data as unknown, scheduler: job.repeatJobKey }));
}

describe('schedules', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  let queues: Queues;

  beforeAll(() => {
    queues = createQueues(redis, prefix);
  });
  afterAll(async () => {
    await closeQueues(queues);
    redis.disconnect();
    await clearPrefix(prefix);
  });

  it('derives one sync schedule per enabled provider, retention, the DAG sweep, the history prune and the daily figures from the configuration', () => {
    const schedules = desiredSchedules(loadConfig(baseEnv, builtinProviderRegistry));
    expect(schedules).toEqual([
      { id: 'sync:affogato', queue: 'sync', jobName: 'sync.provider', data: { provider: 'affogato' }, pattern: '0 3 * * *', tz: 'Europe/Helsinki' },
      { id: 'sync:roughy', queue: 'sync', jobName: 'sync.provider', data: { provider: 'roughy' }, pattern: '0 3 * * *', tz: 'Europe/Helsinki' },
      { id: 'retention:apply', queue: 'retention', jobName: 'retention.apply', data: {}, pattern: '30 4 * * 1', tz: 'Europe/Helsinki' },
      { id: 'dag:sweep', queue: 'dag', jobName: 'dag.sweep', data: {}, pattern: '* * * * *', tz: 'Europe/Helsinki' },
      { id: 'history:prune', queue: 'retention', jobName: 'history.prune', data: {}, pattern: '15 4 * * *', tz: 'Europe/Helsinki' },
      { id: 'catalog:daily', queue: 'retention', jobName: 'catalog.daily', data: {}, pattern: '50 * * * *', tz: 'Europe/Helsinki' },
    ]);
    const defaults = desiredSchedules(loadConfig({}, builtinProviderRegistry));
    expect(defaults.map((s) => [s.id, s.pattern, s.tz])).toEqual([
      ['retention:apply', '30 3 * * *', 'UTC'],
      ['dag:sweep', '* * * * *', 'UTC'],
      ['history:prune', '15 4 * * *', 'UTC'],
      ['catalog:daily', '50 * * * *', 'UTC'],
    ]);
  });

  it('gives each enabled provider the longest gap its sync schedule allows, and no other schedule one', () => {
    const from = new Date('2026-03-04T12:00:00Z');
    const daily = syncScheduleIntervals(desiredSchedules(loadConfig(baseEnv, builtinProviderRegistry)), from);
    expect([...daily]).toEqual([
      ['affogato', 24 * 3600],
      ['roughy', 24 * 3600],
    ]);
    const weekdays = syncScheduleIntervals(desiredSchedules(loadConfig({ ...baseEnv, SYNC_CRON: '0 6 * * 1-5' }, builtinProviderRegistry)), from);
    expect(weekdays.get('affogato')).toBe(3 * 24 * 3600);
    expect(syncScheduleIntervals(desiredSchedules(loadConfig({}, builtinProviderRegistry)), from).size).toBe(0);
  });

  it('computes the intervals when first asked for, not when built, then keeps them', () => {
    const schedules = desiredSchedules(loadConfig(baseEnv, builtinProviderRegistry));
    const intervals = lazySyncScheduleIntervals(schedules);
    const first = intervals();
    expect([...first]).toEqual([
      ['affogato', 24 * 3600],
      ['roughy', 24 * 3600],
    ]);
    expect(intervals()).toBe(first);
    // a pattern cron-parser rejects fails where it is computed: at the first call, not at construction
    const broken: AnyScheduleSpec[] = schedules.map((schedule) => (schedule.jobName === 'sync.provider' ? { ...schedule, pattern: 'not a cron' } : schedule));
    const lazy = lazySyncScheduleIntervals(broken);
    expect(() => lazy()).toThrow();
  });

  it('registers the schedulers with pattern, time zone and job template, each with its next job waiting', async () => {
    const result = await registerSchedules(queues, desiredSchedules(loadConfig(baseEnv, builtinProviderRegistry)), logger);
    expect(result).toEqual({ upserted: ['sync:affogato', 'sync:roughy', 'retention:apply', 'dag:sweep', 'history:prune', 'catalog:daily'], removed: [] });

    const schedulers = await schedulersOf(queues);
    expect(schedulers.map((s) => [s.queue, s.key, s.name, s.pattern, s.tz])).toEqual([
      ['retention', 'catalog:daily', 'catalog.daily', '50 * * * *', 'Europe/Helsinki'],
      ['dag', 'dag:sweep', 'dag.sweep', '* * * * *', 'Europe/Helsinki'],
      ['retention', 'history:prune', 'history.prune', '15 4 * * *', 'Europe/Helsinki'],
      ['retention', 'retention:apply', 'retention.apply', '30 4 * * 1', 'Europe/Helsinki'],
      ['sync', 'sync:affogato', 'sync.provider', '0 3 * * *', 'Europe/Helsinki'],
      ['sync', 'sync:roughy', 'sync.provider', '0 3 * * *', 'Europe/Helsinki'],
    ]);
    // the next sync is at 03:00 in Helsinki, not in UTC
    const syncNext = schedulers.find((s) => s.key === 'sync:affogato')?.next;
    expect(syncNext).toBeDefined();
    const helsinki = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Helsinki', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
    expect(helsinki.format(new Date(syncNext ?? 0))).toBe('03:00');
    const retentionNext = new Date(schedulers.find((s) => s.key === 'retention:apply')?.next ?? 0);
    expect(new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Helsinki', weekday: 'short' }).format(retentionNext)).toBe('Mon');

    // the template carries the job's payload and its retry options
    const template = schedulers.find((s) => s.key === 'sync:roughy')?.template;
    expect(template?.data).toEqual({ provider: 'roughy' });
    expect(template?.opts?.attempts).toBe(5);

    const delayed = await delayedJobs(queues);
    expect(delayed.map((job) => job.scheduler).sort()).toEqual(['catalog:daily', 'dag:sweep', 'history:prune', 'retention:apply', 'sync:affogato', 'sync:roughy']);
    expect(delayed.find((job) => job.scheduler === 'sync:affogato')).toMatchObject({ name: 'sync.provider', data: { provider: 'affogato' } });
  });

  it('is idempotent: registering again at the next boot adds nothing', async () => {
    const again = await registerSchedules(queues, desiredSchedules(loadConfig(baseEnv, builtinProviderRegistry)), logger);
    expect(again.removed).toEqual([]);
    expect((await schedulersOf(queues)).length).toBe(6);
    expect((await delayedJobs(queues)).length).toBe(6);
  });

  it('removes the schedule of a provider that was disabled, and follows a changed cron', async () => {
    const { ROUGHY_API_KEY: _disabled, ...withoutRoughy } = baseEnv;
    const result = await registerSchedules(queues, desiredSchedules(loadConfig({ ...withoutRoughy, SYNC_CRON: '15 * * * *' }, builtinProviderRegistry)), logger);
    expect(result.removed).toEqual(['sync:roughy']);

    const schedulers = await schedulersOf(queues);
    expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([
      ['catalog:daily', '50 * * * *'],
      ['dag:sweep', '* * * * *'],
      ['history:prune', '15 4 * * *'],
      ['retention:apply', '30 4 * * 1'],
      ['sync:affogato', '15 * * * *'],
    ]);
    const next = new Date(schedulers.find((s) => s.key === 'sync:affogato')?.next ?? 0);
    expect(next.getUTCMinutes()).toBe(15);
    const delayed = await delayedJobs(queues);
    expect(delayed.map((job) => job.scheduler).sort()).toEqual(['catalog:daily', 'dag:sweep', 'history:prune', 'retention:apply', 'sync:affogato']);
  });

  it('a running check only adds what is missing: a schedule of another version and a pattern it changed stay as they are', async () => {
    // another version in a rolling deploy: Media Pocket enabled, and the sync cron it registered ('15 * * * *' above)
    const otherVersion = desiredSchedules(loadConfig({ ...baseEnv, MEDIAPOCKET_API_KEY: 'm-key', MEDIAPOCKET_BASE_URL: 'http://127.0.0.1:9/mp' }, builtinProviderRegistry));
    const mediapocketSync = otherVersion.find((schedule) => schedule.id === 'sync:mediapocket');
    if (mediapocketSync === undefined) throw new Error('expected a Media Pocket sync schedule');
    await upsertSchedule(queues, mediapocketSync);

    const reconciler = startScheduleReconciler({ queues, schedules: desiredSchedules(loadConfig(baseEnv, builtinProviderRegistry)), connection: redis, logger, periodMs: 3_600_000 });
    try {
      expect(await reconciler.findMissing()).toEqual(['sync:roughy']);
      expect(await reconciler.reconcile()).toEqual({ restored: ['sync:roughy'] });
      expect(await reconciler.findMissing()).toEqual([]);
    } finally {
      await reconciler.stop();
    }
    const schedulers = await schedulersOf(queues);
    expect(schedulers.map((s) => [s.key, s.pattern])).toEqual([
      ['catalog:daily', '50 * * * *'],
      ['dag:sweep', '* * * * *'],
      ['history:prune', '15 4 * * *'],
      ['retention:apply', '30 4 * * 1'],
      ['sync:affogato', '15 * * * *'],
      ['sync:mediapocket', '0 3 * * *'],
      ['sync:roughy', '0 3 * * *'],
    ]);
  });
});
