/**
 * Schedules heal themselves: a Redis that comes back empty gets the configured job schedulers again, once, with
 * one next job each, without a restart; readiness and the missing-schedules metric say so meanwhile. A Redis of
 * the file's own is killed, restarted empty and flushed; the shared servers are never touched.
 */
import { spawnSync } from 'node:child_process';
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildAdminApp } from '../src/admin/admin-server.ts';
import { createWorkerMetrics } from '../src/admin/metrics.ts';
import { loadConfig } from '../src/config.ts';
import { closeQueues, createQueues, type Queues } from '../src/jobs/queues.ts';
import { createDependencyHealth } from '../src/health/dependency-health.ts';
import { postgresProbe, redisProbe } from '../src/health/dependency-probes.ts';
import { createLogger, type Logger } from '../src/logger.ts';
import { runWorker } from '../src/app/run-worker.ts';
import { findMissingSchedules, startScheduleReconciler, type ScheduleCheck } from '../src/schedulers/schedule-reconciler.ts';
import { registerSchedules, upsertSchedule } from '../src/schedulers/schedule-registration.ts';
import { desiredSchedules, type AnyScheduleSpec } from '../src/schedulers/schedules.ts';
import { startSimulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { contextFor } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import { startPrivateRedis, type PrivateRedis } from './support/private-servers.ts';
import { createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';

const redisServerMissing = spawnSync('redis-server', ['--version']).status !== 0;
const HOUR_MS = 3_600_000;

/** A logger whose lines the test can read, at debug so repeated failures show up as the debug lines they are. */
function capturingLogger(): { logger: Logger; lines: () => Array<{ level: number; msg: string }> } {
  const lines: Array<{ level: number; msg: string }> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as { level: number; msg: string });
      done();
    },
  });
  return { logger: createLogger('debug', sink), lines: () => lines };
}

/** Per configured schedule: how many schedulers and how many pending next jobs Redis holds, and whether the job is the scheduler's next one. */
async function scheduleState(queues: Queues, schedules: readonly AnyScheduleSpec[]) {
  const state: Record<string, { schedulers: number; nextJobs: number; jobIsNext: boolean }> = {};
  for (const schedule of schedules) {
    const queue = queues[schedule.queue];
    const schedulers = (await queue.getJobSchedulers()).filter((scheduler) => scheduler.key === schedule.id);
    const jobs = (await queue.getJobs(['delayed', 'waiting', 'prioritized', 'paused'])).filter((job) => job.repeatJobKey === schedule.id);
    state[schedule.id] = {
      schedulers: schedulers.length,
      nextJobs: jobs.length,
      jobIsNext: jobs.length === 1 && schedulers.length === 1 && jobs[0]?.id === `repeat:${schedule.id}:${schedulers[0]?.next}`,
    };
  }
  return state;
}

function onceEach(schedules: readonly AnyScheduleSpec[]) {
  return Object.fromEntries(schedules.map((schedule) => [schedule.id, { schedulers: 1, nextJobs: 1, jobIsNext: true }]));
}

describe.skipIf(redisServerMissing)('schedules heal themselves', () => {
  const prefix = testQueuePrefix();
  let redisServer: PrivateRedis;
  let database: TestDatabase;
  let connection: Redis;
  let queues: Queues;
  let schedules: AnyScheduleSpec[];
  const silent = createLogger('silent');

  const adminWith = (check: ScheduleCheck): FastifyInstance => {
    const health = createDependencyHealth({ logger: silent, probes: { postgres: postgresProbe(database.url), redis: redisProbe(connection) } });
    return buildAdminApp({
      health,
      db: database.db,
      queues,
      queuePrefix: prefix,
      metrics: createWorkerMetrics({ db: database.db, queues, logger: silent, schedules: check, health }),
      logger: silent,
      token: undefined,
      schedules: check,
    });
  };

  const readiness = async (app: FastifyInstance) => {
    const response = await app.inject({ method: 'GET', url: '/readyz' });
    return { status: response.statusCode, body: response.json<Record<string, string>>() };
  };
  const missingGauge = async (app: FastifyInstance) => {
    const text = (await app.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^asset_worker_schedules_missing (\d+)$/m.exec(text)?.[1]);
  };

  beforeAll(async () => {
    redisServer = await startPrivateRedis();
    database = await createTestDatabase();
    // as the worker's own connection: commands wait for a reconnect instead of failing
    connection = new Redis(redisServer.url, { maxRetriesPerRequest: null });
    connection.on('error', () => undefined);
    queues = createQueues(connection, prefix);
    // the outage is expected here: a queue without an error listener would print every failed reconnect
    for (const queue of Object.values(queues)) queue.on('error', () => undefined);
    schedules = desiredSchedules(loadConfig({ AFFOGATO_API_KEY: 'a-key', ROUGHY_API_KEY: 'r-key', SYNC_CRON: '0 3 * * *', RETENTION_CRON: '30 4 * * 1' }, builtinProviderRegistry));
  });
  afterAll(async () => {
    await closeQueues(queues);
    connection.disconnect();
    await redisServer?.close();
    await database?.drop();
  });

  it('restores every schedule once, with one next job each, after Redis restarts empty, without a restart of the worker', async () => {
    await registerSchedules(queues, schedules, silent);
    const { logger, lines } = capturingLogger();
    // the period is out of reach: what brings the schedules back here is the reconnect
    const reconciler = startScheduleReconciler({ queues, schedules, connection, logger, periodMs: HOUR_MS });
    const app = adminWith(reconciler);
    try {
      expect(await readiness(app)).toMatchObject({ status: 200, body: { schedules: 'ok' } });

      await redisServer.kill();
      await redisServer.start();
      await waitFor(async () => ((await findMissingSchedules(queues, schedules)).length === 0 ? true : undefined));
      // a check that was still running on the old connection, then the reconnect's: neither adds a second schedule
      await reconciler.reconcile();

      expect(await scheduleState(queues, schedules)).toEqual(onceEach(schedules));
      expect(await readiness(app)).toMatchObject({ status: 200, body: { status: 'ready', schedules: 'ok' } });
      expect(await missingGauge(app)).toBe(0);
      const restoredLines = lines().filter((line) => line.msg.includes('restored them'));
      expect(restoredLines).toHaveLength(1);
      expect((restoredLines[0] as unknown as { restored: string[] }).restored.sort()).toEqual(schedules.map((s) => s.id).sort());
    } finally {
      await reconciler.stop();
      await app.close();
    }
  });

  it('while restoring fails, readiness names the missing schedules and the failure and the metric counts them; a later check restores them', async () => {
    await connection.flushall();
    // Redis answers reads but refuses every write: the check works, the restore cannot
    await connection.config('SET', 'maxmemory', '1');
    const { logger, lines } = capturingLogger();
    const reconciler = startScheduleReconciler({ queues, schedules, connection, logger, periodMs: 200 });
    const app = adminWith(reconciler);
    try {
      const failed = await reconciler.reconcile();
      expect(failed.restored).toEqual([]);
      expect(failed.failure).toMatch(/OOM/);

      const notReady = await readiness(app);
      expect(notReady.status).toBe(503);
      expect(notReady.body.status).toBe('not ready');
      expect(notReady.body.redis).toBe('ok');
      for (const schedule of schedules) expect(notReady.body.schedules).toContain(schedule.id);
      expect(notReady.body.schedules).toMatch(/restoring them failed: .*OOM/);
      expect(await missingGauge(app)).toBe(schedules.length);

      // the checks go on failing: one warning for the streak, the repeats at debug
      const failureLines = () => lines().filter((line) => line.msg.startsWith('could not check or restore'));
      await waitFor(async () => (failureLines().length >= 3 ? true : undefined));
      expect(failureLines().filter((line) => line.level === 40)).toHaveLength(1);
      expect(failureLines().filter((line) => line.level === 20).length).toBeGreaterThanOrEqual(2);

      await connection.config('SET', 'maxmemory', '0');
      await waitFor(async () => ((await readiness(app)).status === 200 ? true : undefined));
      expect(await missingGauge(app)).toBe(0);
      expect(await scheduleState(queues, schedules)).toEqual(onceEach(schedules));
      expect(lines().filter((line) => line.msg.includes('restored them'))).toHaveLength(1);
      expect(reconciler.lastFailure()).toBeUndefined();
    } finally {
      await connection.config('SET', 'maxmemory', '0');
      await reconciler.stop();
      await app.close();
    }
  });

  it('replicas restoring the same schedules at the same moment leave one scheduler and one next job each', async () => {
    const replicas = [0, 1, 2].map(() => {
      const replicaConnection = new Redis(redisServer.url, { maxRetriesPerRequest: null });
      replicaConnection.on('error', () => undefined);
      return { connection: replicaConnection, queues: createQueues(replicaConnection, prefix) };
    });
    // connected before the reconcilers start, so no pass of their own runs in the middle of a round
    await Promise.all(replicas.map((replica) => replica.connection.ping()));
    const reconcilers = replicas.map((replica) =>
      startScheduleReconciler({ queues: replica.queues, schedules, connection: replica.connection, logger: silent, periodMs: HOUR_MS }),
    );
    try {
      // BullMQ itself: every replica upserts every schedule on an empty Redis at once
      await connection.flushall();
      await Promise.all(replicas.map((replica) => Promise.all(schedules.map((schedule) => upsertSchedule(replica.queues, schedule)))));
      expect(await scheduleState(queues, schedules)).toEqual(onceEach(schedules));

      // the reconcilers, racing a few times
      for (let round = 0; round < 5; round++) {
        await connection.flushall();
        const outcomes = await Promise.all(reconcilers.map((reconciler) => reconciler.reconcile()));
        expect(outcomes.every((outcome) => outcome.failure === undefined)).toBe(true);
        // between them they restored every schedule, perhaps several times over
        expect(new Set(outcomes.flatMap((outcome) => outcome.restored))).toEqual(new Set(schedules.map((schedule) => schedule.id)));
        expect(await scheduleState(queues, schedules)).toEqual(onceEach(schedules));
      }
    } finally {
      await Promise.all(reconcilers.map((reconciler) => reconciler.stop()));
      for (const replica of replicas) {
        await closeQueues(replica.queues);
        replica.connection.disconnect();
      }
    }
  });

  it('end to end: after Redis restarts empty under a running worker, the next scheduled sync runs', async () => {
    await connection.flushall();
    const sim = await startSimulator({ seed: 11, counts: { affogato: 40 } });
    // a seconds pattern is a valid SYNC_CRON (cron-parser's six fields), so the test need not wait minutes
    const context = contextFor(
      simulatorEnv(sim, database.url, testQueuePrefix(), { affogato: 500 }, { REDIS_URL: redisServer.url, SYNC_CRON: '*/3 * * * * *', ADMIN_PORT: '0', LOG_LEVEL: 'silent' }),
    );
    const controller = new AbortController();
    const worker = await runWorker(context, { signal: controller.signal, adminHost: '127.0.0.1' });
    const completedSince = (afterId: number) => async () =>
      (
        await database.pool.query<{ id: number }>("SELECT id FROM sync_runs WHERE provider = 'affogato' AND state = 'complete' AND id > $1 ORDER BY id LIMIT 1", [
          afterId,
        ])
      ).rows[0]?.id;
    try {
      const before = await waitFor(completedSince(0));

      await redisServer.kill();
      await redisServer.start();
      const lastBeforeRestart = Number((await database.pool.query<{ id: number | null }>('SELECT max(id) AS id FROM sync_runs')).rows[0]?.id ?? before);

      const after = await waitFor(completedSince(lastBeforeRestart));
      expect(after).toBeGreaterThan(lastBeforeRestart);
      const state = await scheduleState(worker.queues, worker.schedules);
      expect(Object.values(state).map((entry) => entry.schedulers)).toEqual(worker.schedules.map(() => 1));
      expect((await fetch(`${worker.adminUrl}/readyz`)).status).toBe(200);
    } finally {
      controller.abort();
      await worker.stopped;
      await context.close();
      await sim.close();
    }
  });
});
