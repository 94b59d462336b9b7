/**
 * The sweep's part for sync and retention runs: a job is enqueued for an open run only when nothing works on it
 * (no live job, no session holding its lock), once per run, under a job id of the run's.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRun } from '../src/db/sync-runs.repository.ts';
import { ensureRetentionResumeJob, ensureSyncResumeJobs, retentionResumeJobId, syncResumeJobId } from '../src/jobs/resume-jobs.ts';
import { closeQueues, createQueues, enqueue, type Queues } from '../src/jobs/queues.ts';
import { insertRun } from '../src/db/retention.repository.ts';
import { acquireProviderLock } from '../src/db/provider-lock.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

describe('resume jobs for open sync and retention runs', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  let database: TestDatabase;
  let queues: Queues;

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = createQueues(redis, prefix);
  });
  afterAll(async () => {
    await closeQueues(queues);
    redis.disconnect();
    await database.drop();
    await clearPrefix(prefix);
  });
  beforeEach(async () => {
    await database.pool.query('TRUNCATE sync_runs, retention_runs CASCADE');
    await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
  });

  it('an open sync run gets one job under its own id; none while a session holds its lock or a job of its provider is due', async () => {
    expect(await ensureSyncResumeJobs(database.db, queues, ['affogato', 'roughy'])).toBe(0);
    const run = await createRun(database.db, 'affogato', new Date());

    const lock = await acquireProviderLock(database.pool, 'sync', 'affogato', () => undefined);
    expect(await ensureSyncResumeJobs(database.db, queues, ['affogato'])).toBe(0);
    await lock.release();

    const scheduled = await enqueue(queues, 'sync.provider', { provider: 'affogato' });
    expect(await ensureSyncResumeJobs(database.db, queues, ['affogato'])).toBe(0);
    await scheduled.remove();

    // the schedule's next firing (delayed, hours away) is not a job that will resume the run
    await queues.sync.upsertJobScheduler('sync:affogato', { pattern: '0 5 1 1 *' }, { name: 'sync.provider', data: { provider: 'affogato' } });
    expect((await queues.sync.getJobs(['delayed'])).map((job) => job.name)).toEqual(['sync.provider']);
    // a provider this process does not sync is left alone
    expect(await ensureSyncResumeJobs(database.db, queues, ['roughy'])).toBe(0);
    expect(await ensureSyncResumeJobs(database.db, queues, ['affogato'])).toBe(1);
    // the job now waiting is live: a second sweep, here or on another replica, adds nothing
    expect(await ensureSyncResumeJobs(database.db, queues, ['affogato'])).toBe(0);
    const job = await queues.sync.getJob(syncResumeJobId(run.id));
    expect(job?.name).toBe('sync.provider');
    expect(job?.data).toEqual({ provider: 'affogato' });
  });

  it('an open retention apply run gets one retention.apply job; none while its lock is held or an apply is queued', async () => {
    const run = await insertRun(database.pool, { mode: 'apply', provider: 'roughy', evaluatedAt: new Date(), state: 'applying', rulesDigest: 'test' });
    await insertRun(database.pool, { mode: 'apply', provider: 'affogato', evaluatedAt: new Date(), state: 'done', rulesDigest: 'test' });

    const lock = await acquireProviderLock(database.pool, 'retention', 'roughy', () => undefined);
    expect(await ensureRetentionResumeJob(database.db, queues, ['affogato', 'roughy'])).toBe(0);
    await lock.release();

    expect(await ensureRetentionResumeJob(database.db, queues, ['affogato', 'roughy'])).toBe(1);
    expect(await ensureRetentionResumeJob(database.db, queues, ['affogato', 'roughy'])).toBe(0);
    expect((await queues.retention.getJob(retentionResumeJobId(run)))?.name).toBe('retention.apply');
  });
});
