/**
 * Outages of Postgres and Redis while `start` (runWorker, in-process) works, on servers of the test's own: the
 * process stays up, each outage is one "down" and one "back" log line, /readyz names what is down, and the
 * interrupted work finishes by itself: the catalog equals the simulator's truth, every destructive call is sent
 * once and only for planned assets, a DAG action run is started once and ends succeeded. Where Redis comes back
 * empty, its `dag:sweep` schedule is gone with it: those tests enqueue the sweep job themselves instead of waiting
 * for the schedule to be registered again.
 */
import type pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { ensureChunkJob } from '../src/jobs/bulk-chunk-jobs.ts';
import { createOperation } from '../src/db/bulk.repository.ts';
import { dagPollJobId } from '../src/jobs/dag-poll-jobs.ts';
import { DEFAULT_SWEEP_MARGIN_MS } from '../src/jobs/lost-job-sweep.ts';
import { dagActionsOf, startDagRun } from '../src/dag/start-dag-run.ts';
import { closePool, createPool } from '../src/db/client.ts';
import { migrateDatabase } from '../src/db/migrate.ts';
import { chunkSizeFor, planItems } from '../src/domain/bulk-plan.ts';
import { DEFAULT_DAG_TIMEOUT_MS } from '../src/domain/dag-poll-policy.ts';
import { enqueue } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { runWorker, type RunningWorker } from '../src/app/run-worker.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { catalogOf, waitFor } from './support/catalog.ts';
import { contextFor } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import {
  privateServersUnavailable,
  startPrivatePostgres,
  startPrivateRedis,
  type PrivatePostgres,
  type PrivateRedis,
} from './support/private-servers.ts';
import { uniqueName } from './support/services.ts';

const unavailable = privateServersUnavailable();
if (unavailable !== undefined) console.warn(`outage tests skipped: ${unavailable}`);

interface LogLine {
  msg?: string;
  dependency?: string;
  level?: number;
  time?: string;
}

describe.skipIf(unavailable !== undefined)('outages of Postgres and Redis under a running worker', () => {
  let postgres: PrivatePostgres;
  let redis: PrivateRedis;
  let sim: Simulator;

  /** one worker per test, on a database and queue prefix of its own */
  let context: AppContext | undefined;
  let worker: RunningWorker | undefined;
  let stop: AbortController | undefined;
  let pool: pg.Pool | undefined;
  let logs: LogLine[] = [];

  beforeAll(async () => {
    [postgres, redis] = await Promise.all([startPrivatePostgres(), startPrivateRedis()]);
    // slow enough, at the rates below, for an outage to land mid-way
    sim = await startSimulator({ seed: 43, counts: { affogato: 3_000, mediapocket: 240 } });
  }, 60_000);
  afterAll(async () => {
    await sim?.close();
    await redis?.close();
    await postgres?.close();
  });
  afterEach(async (test) => {
    // what the worker said is the first thing to read when one of these fails
    if (test.task.result?.state === 'fail') console.info(logs.map((line) => JSON.stringify(line)).join('\n'));
    stop?.abort();
    await worker?.stopped;
    await context?.close();
    if (pool !== undefined) await closePool(pool);
    [context, worker, stop, pool] = [undefined, undefined, undefined, undefined];
  });

  const boot = async (rates: Record<string, number>) => {
    const databaseUrl = postgres.urlFor(uniqueName('alw_outage'));
    await migrateDatabase(databaseUrl);
    pool = createPool(databaseUrl, 2);
    logs = [];
    const logger = createLogger('info', { write: (line: string) => void logs.push(JSON.parse(line) as LogLine) });
    const env = simulatorEnv(sim, databaseUrl, uniqueName('alwoutage'), rates, {
      REDIS_URL: redis.url,
      ADMIN_PORT: '0',
      SYNC_CRON: '0 5 1 1 *',
      RETENTION_CRON: '0 4 1 1 *',
    });
    context = contextFor(env, logger);
    stop = new AbortController();
    worker = await runWorker(context, { signal: stop.signal, adminHost: '127.0.0.1' });
    return { context, worker, pool };
  };

  const linesSaying = (message: string) => logs.filter((line) => line.msg === message);
  const logged = (message: string) => waitFor(async () => (linesSaying(message).length > 0 ? true : undefined), 50);
  const readiness = async (adminUrl: string) => {
    const response = await fetch(`${adminUrl}/readyz`);
    return { status: response.status, body: (await response.json()) as Record<string, string> };
  };
  const dependencyGauge = async (adminUrl: string, dependency: string) => {
    const text = await (await fetch(`${adminUrl}/metrics`)).text();
    return new RegExp(`^asset_worker_dependency_up\\{dependency="${dependency}"\\} (\\d)$`, 'm').exec(text)?.[1];
  };
  const syncRuns = async (db: pg.Pool) =>
    (await db.query<{ id: number; state: string; pages: number }>('SELECT id, state, pages FROM sync_runs ORDER BY id')).rows;

  const expectAffogatoCatalogExact = async (db: pg.Pool) => {
    const catalog = await catalogOf(db, 'affogato');
    const truth = sim.affogato.all();
    expect(catalog.size).toBe(truth.length);
    for (const asset of truth) expect(catalog.get(asset.id)?.raw).toEqual(asset);
  };

  it('Postgres stopped and started again mid-sync: one down and one back line, /readyz 503 naming it, the run resumes to an exact catalog', async () => {
    const { worker: running, pool: db } = await boot({ affogato: 20 });
    await enqueue(running.queues, 'sync.provider', { provider: 'affogato' });
    await waitFor(async () => ((await syncRuns(db))[0]?.pages ?? 0) >= 10 || undefined, 50);
    const interrupted = (await syncRuns(db))[0];

    // every session is terminated (57P01), a sync's lock and COPY connections included
    await postgres.kill();
    await logged('postgres down');
    const down = await readiness(running.adminUrl);
    expect(down.status).toBe(503);
    expect(down.body.postgres).toMatch(/^down: /);
    expect(down.body.redis).toBe('ok');
    expect(await dependencyGauge(running.adminUrl, 'postgres')).toBe('0');

    await postgres.start();
    await logged('postgres back');
    expect((await readiness(running.adminUrl)).status).toBe(200);
    expect(await dependencyGauge(running.adminUrl, 'postgres')).toBe('1');

    // BullMQ retries the failed sync job (after its backoff); the retry resumes the same run
    const runs = await waitFor(async () => {
      const current = await syncRuns(db);
      return current.every((run) => run.state !== 'running') ? current : undefined;
    }, 250);
    expect(runs.map((run) => [run.id, run.state])).toEqual([[interrupted?.id, 'complete']]);
    await expectAffogatoCatalogExact(db);
    expect(linesSaying('postgres down')).toHaveLength(1);
    expect(linesSaying('postgres back')).toHaveLength(1);
    expect(linesSaying('redis down')).toHaveLength(0);
  }, 120_000);

  it('Redis killed mid-sync and started again empty: one down and one back line, /readyz 503 naming it, the open run finishes exactly', async () => {
    const { worker: running, pool: db } = await boot({ affogato: 20 });
    await enqueue(running.queues, 'sync.provider', { provider: 'affogato' });
    await waitFor(async () => ((await syncRuns(db))[0]?.pages ?? 0) >= 10 || undefined, 50);
    const interrupted = (await syncRuns(db))[0];

    await redis.kill();
    await logged('redis down');
    const down = await readiness(running.adminUrl);
    expect(down.status).toBe(503);
    expect(down.body.redis).toMatch(/^down: /);
    expect(down.body.postgres).toBe('ok');
    expect(await dependencyGauge(running.adminUrl, 'redis')).toBe('0');
    // an outage of a few seconds: every connection keeps failing to reconnect meanwhile
    await new Promise((resolve) => setTimeout(resolve, 3_000));

    await redis.start();
    await logged('redis back');
    // Redis came back empty: ready again once the schedules it lost are restored (at once after the reconnect)
    await logged('configured schedules were missing from Redis (emptied or restarted); restored them');
    expect((await readiness(running.adminUrl)).status).toBe(200);
    expect(await dependencyGauge(running.adminUrl, 'redis')).toBe('1');

    // the sync's requests waited for their budget in Redis meanwhile; the handler goes on and closes the run (its
    // job, gone with Redis's keys, can no longer be marked completed: that is logged as a worker error)
    const runs = await waitFor(async () => {
      const current = await syncRuns(db);
      return current.every((run) => run.state !== 'running') ? current : undefined;
    }, 250);
    expect(runs.map((run) => [run.id, run.state])).toEqual([[interrupted?.id, 'complete']]);
    await expectAffogatoCatalogExact(db);
    expect(linesSaying('redis down')).toHaveLength(1);
    expect(linesSaying('redis back')).toHaveLength(1);
    expect(linesSaying('postgres down')).toHaveLength(0);
  }, 60_000);


  it('a sync waiting for its retry when Redis comes back empty: the sweep enqueues it again from Postgres, and the run finishes exactly', async () => {
    const { worker: running, pool: db } = await boot({ affogato: 20 });
    const job = await enqueue(running.queues, 'sync.provider', { provider: 'affogato' });
    await waitFor(async () => ((await syncRuns(db))[0]?.pages ?? 0) >= 10 || undefined, 50);
    const interrupted = (await syncRuns(db))[0];
    await postgres.restart();
    await logged('postgres back');
    // the failed attempt waits out its backoff in Redis's delayed set...
    await waitFor(async () => ((await running.queues.sync.getJob(job.id ?? ''))?.getState().then((state) => state === 'delayed')) || undefined, 50);

    // ...and is lost with everything else in Redis
    await redis.kill();
    await logged('redis down');
    expect((await readiness(running.adminUrl)).body.redis).toMatch(/^down: /);
    await redis.start();
    await logged('redis back');
    expect(await running.queues.sync.getJob(job.id ?? '')).toBeUndefined();
    expect((await syncRuns(db)).map((run) => run.state)).toEqual(['running']);

    // the dag:sweep schedule went with Redis's keys too: the sweep job is enqueued here by hand
    await enqueue(running.queues, 'dag.sweep', {});
    const runs = await waitFor(async () => {
      const current = await syncRuns(db);
      return current.every((run) => run.state !== 'running') ? current : undefined;
    }, 250);
    expect(runs.map((run) => [run.id, run.state])).toEqual([[interrupted?.id, 'complete']]);
    await expectAffogatoCatalogExact(db);
    expect(linesSaying('lost jobs enqueued again from Postgres')).toMatchObject([{ syncsRequeued: 1, retentionRequeued: 0 }]);
    for (const dependency of ['postgres', 'redis']) {
      expect(linesSaying(`${dependency} down`)).toHaveLength(1);
      expect(linesSaying(`${dependency} back`)).toHaveLength(1);
    }
  }, 60_000);

  /** A bulk trash of these ids queued on the running worker, as `bulk trash` queues one. */
  const queueBulkTrash = async (running: RunningWorker, ctx: AppContext, db: pg.Pool, ids: string[]) => {
    const handle = ctx.selectProviders(['mediapocket'])[0];
    const chunkSize = chunkSizeFor('trash', handle?.provider.batchSize('trash') ?? 1);
    const plan = planItems(ids, chunkSize);
    const operation = await createOperation(db, { provider: 'mediapocket', action: 'trash', dagActionId: null }, chunkSize, plan.items);
    for (let chunk = 0; chunk < plan.chunks; chunk += 1) await ensureChunkJob(running.queues, operation.id, chunk, false);
    const itemStates = async () =>
      Object.fromEntries(
        (
          await db.query<{ state: string; n: number }>('SELECT state, count(*)::int AS n FROM bulk_items WHERE operation_id = $1 GROUP BY state', [
            operation.id,
          ])
        ).rows.map((row) => [row.state, row.n]),
      ) as Record<string, number>;
    const finished = () =>
      waitFor(async () => {
        const states = await itemStates();
        return (states.done ?? 0) + (states.failed ?? 0) === ids.length ? states : undefined;
      }, 250);
    return { itemStates, finished };
  };

  const expectTrashedOnceEach = (ids: string[]) => {
    const perAsset = new Map<string, number>();
    for (const call of sim.stats.destructiveCalls) {
      for (const id of call.assetIds) perAsset.set(`${call.operation} ${id}`, (perAsset.get(`${call.operation} ${id}`) ?? 0) + 1);
    }
    expect([...perAsset.keys()].sort()).toEqual(ids.map((id) => `trash ${id}`).sort());
    expect([...perAsset.values()].every((calls) => calls === 1)).toBe(true);
    expect(ids.every((id) => sim.mediapocket.isTrashed(id))).toBe(true);
  };

  it('Postgres restarted in the middle of a bulk trash: every asset trashed with exactly one call, only the planned ones', async () => {
    const { context: ctx, worker: running, pool: db } = await boot({ mediapocket: 15 });
    sim.stats.reset();
    const ids = sim.mediapocket.ids().slice(0, 100);
    const bulk = await queueBulkTrash(running, ctx, db, ids);
    await waitFor(async () => ((await bulk.itemStates()).done ?? 0) >= 25 || undefined, 50);

    // fast shutdown: every session terminated (57P01), items in flight included; the chunk jobs fail and are retried
    await postgres.restart();
    await logged('postgres back');
    expect(await bulk.finished()).toEqual({ done: ids.length });
    expectTrashedOnceEach(ids);
    expect(linesSaying('postgres down')).toHaveLength(1);
    expect(linesSaying('postgres back')).toHaveLength(1);
  }, 60_000);

  it('Redis killed in the middle of a bulk trash and back empty: the sweep enqueues the open chunks again while their runners go on; each asset trashed once', async () => {
    // three chunks of 20, all running at once, slowly enough to be mid-way when their jobs come back
    const { context: ctx, worker: running, pool: db } = await boot({ mediapocket: 5 });
    sim.stats.reset();
    const ids = sim.mediapocket.ids().slice(100, 160);
    const bulk = await queueBulkTrash(running, ctx, db, ids);
    await waitFor(async () => ((await bulk.itemStates()).done ?? 0) >= 10 || undefined, 50);

    await redis.kill();
    await logged('redis down');
    await redis.start();
    await logged('redis back');
    // every chunk job is gone; the runners of four chunks are still going: the jobs enqueued again for those wait
    await enqueue(running.queues, 'dag.sweep', {});
    await logged('lost jobs enqueued again from Postgres');
    expect((linesSaying('lost jobs enqueued again from Postgres')[0] as { chunksRequeued?: number }).chunksRequeued).toBeGreaterThan(0);
    expect(await bulk.finished()).toEqual({ done: ids.length });
    expectTrashedOnceEach(ids);
    // the runners were still going when their jobs came back: the new jobs waited for them rather than send twice
    expect(linesSaying('another runner has this bulk chunk; its job waits').length).toBeGreaterThan(0);
    expect(linesSaying('redis down')).toHaveLength(1);
    expect(linesSaying('redis back')).toHaveLength(1);
  }, 60_000);

  /**
   * A Transcode run (the simulator answers running, running, finished: three polls) started as `dag start` starts
   * one. runWorker polls with the default policy: up to 1 s, 1 s and 2 s before those three polls.
   */
  const startTranscode = async (ctx: AppContext, running: RunningWorker, assetId: string) => {
    const { run, error } = await startDagRun(ctx, running.queues, dagActionsOf(ctx), { assetId, dagActionId: '1', timeoutMs: DEFAULT_DAG_TIMEOUT_MS });
    expect(error).toBeUndefined();
    expect(run.outcome).toBe('running');
    return run;
  };
  const pollAttempts = async (db: pg.Pool, runId: number) =>
    (await db.query<{ poll_attempts: number }>('SELECT poll_attempts FROM dag_action_runs WHERE id = $1', [runId])).rows[0]?.poll_attempts ?? 0;
  const dagRunRow = async (db: pg.Pool, runId: number) =>
    (
      await db.query<{ run_id: string; status: string; outcome: string; finished_at: Date | null }>(
        'SELECT run_id, status, outcome, finished_at FROM dag_runs WHERE worker_run_id = $1',
        [runId],
      )
    ).rows[0];
  const dagRunEnded = (db: pg.Pool, runId: number) =>
    waitFor(async () => {
      const row = await dagRunRow(db, runId);
      return row !== undefined && row.outcome !== 'running' ? row : undefined;
    }, 100);
  /** the contract's view says succeeded with the provider's status; the provider saw one start call and has one run */
  const expectSucceededStartedOnce = (assetId: string, row: { run_id: string; status: string; outcome: string }) => {
    expect(row).toMatchObject({ outcome: 'succeeded', status: 'finished' });
    expect(sim.mediapocket.dagRuns(assetId).map((run) => [String(run.id), run.status])).toEqual([[row.run_id, 'finished']]);
    expect(sim.stats.count('mediapocket', 'dag.start')).toBe(1);
  };

  it('Postgres restarted while a DAG action run is polled: one down and one back line, the run is polled on to succeeded, started once', async () => {
    const { context: ctx, worker: running, pool: db } = await boot({ mediapocket: 50 });
    sim.stats.reset();
    const assetId = sim.mediapocket.ids().at(-1) as string;
    const started = await startTranscode(ctx, running, assetId);
    await waitFor(async () => ((await pollAttempts(db, started.id)) >= 1 ? true : undefined), 20);

    // every session terminated (57P01); a poll due meanwhile fails and its job is retried
    await postgres.restart();
    await logged('postgres back');
    expect((await readiness(running.adminUrl)).status).toBe(200);

    const row = await dagRunEnded(db, started.id);
    expectSucceededStartedOnce(assetId, row);
    // a run cannot end while Postgres is down, and this one ended after it was seen down: the outage fell mid-run
    expect(row.finished_at?.getTime()).toBeGreaterThan(Date.parse(linesSaying('postgres down')[0]?.time ?? ''));
    expect(linesSaying('postgres down')).toHaveLength(1);
    expect(linesSaying('postgres back')).toHaveLength(1);
    expect(linesSaying('redis down')).toHaveLength(0);
  }, 60_000);

  it('Redis killed while a DAG action poll is parked and back empty: the sweep enqueues the poll again from Postgres; the run succeeds, started once', async () => {
    const { context: ctx, worker: running, pool: db } = await boot({ mediapocket: 50 });
    sim.stats.reset();
    const assetId = sim.mediapocket.ids().at(-2) as string;
    const started = await startTranscode(ctx, running, assetId);
    const jobId = dagPollJobId(started.id);
    // polled once, then parked in Redis's delayed set until the next poll (at least 250 ms away)
    await waitFor(
      async () => ((await pollAttempts(db, started.id)) >= 1 && (await (await running.queues.dag.getJob(jobId))?.getState()) === 'delayed') || undefined,
      20,
    );

    await redis.kill();
    await logged('redis down');
    await redis.start();
    await logged('redis back');
    // the parked poll is gone; Postgres still has the run open
    expect(await running.queues.dag.getJob(jobId)).toBeUndefined();
    expect((await dagRunRow(db, started.id))?.outcome).toBe('running');

    // the sweep takes a poll for lost once it is DEFAULT_SWEEP_MARGIN_MS overdue: rather than wait that minute,
    // the run's next poll is moved back past the margin
    await db.query('UPDATE dag_action_runs SET next_poll_at = $2 WHERE id = $1', [started.id, new Date(Date.now() - DEFAULT_SWEEP_MARGIN_MS - 1_000)]);
    // the dag:sweep schedule went with Redis's keys too: the sweep job is enqueued here by hand
    await enqueue(running.queues, 'dag.sweep', {});
    const row = await dagRunEnded(db, started.id);
    expectSucceededStartedOnce(assetId, row);
    expect(linesSaying('lost jobs enqueued again from Postgres')).toMatchObject([{ pollsRequeued: 1 }]);
    expect((await readiness(running.adminUrl)).status).toBe(200);
    expect(linesSaying('redis down')).toHaveLength(1);
    expect(linesSaying('redis back')).toHaveLength(1);
    expect(linesSaying('postgres down')).toHaveLength(0);
  }, 60_000);
});
