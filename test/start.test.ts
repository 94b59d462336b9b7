/**
 * `start` in-process (runWorker): boots, registers its schedules, serves the admin server, processes a sync job
 * from the queue against the simulator, and stops mid-sync without losing the job or half-writing the run.
 */
import { randomBytes } from 'node:crypto';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { closeQueues, createQueues, enqueue, type Queues } from '../src/jobs/queues.ts';
import { runWorker, type RunningWorker } from '../src/app/run-worker.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { catalogOf, waitFor } from './support/catalog.ts';
import { contextFor } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const TOKEN = 'start-test-admin-token';
const ASSETS = 2_000;

async function stateOf(queues: Queues, job: Job): Promise<string> {
  const current = await queues.sync.getJob(job.id ?? '');
  return current === undefined ? 'missing' : current.getState();
}

describe('start (in-process)', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;

  const boot = (controller: AbortController): Promise<RunningWorker> =>
    runWorker(context, { signal: controller.signal, adminHost: '127.0.0.1' });

  const openRun = async () =>
    (
      await database.pool.query<{ id: number; pages: number; seen: number }>(
        "SELECT id, pages, seen FROM sync_runs WHERE provider = 'affogato' AND state = 'running'",
      )
    ).rows[0];

  const expectCatalogEqualsTruth = async () => {
    const catalog = await catalogOf(database.pool, 'affogato');
    const truth = sim.affogato.all();
    expect(catalog.size).toBe(truth.length);
    for (const asset of truth) expect(catalog.get(asset.id)?.raw).toEqual(asset);
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    // ~25 pages a second: slow enough to stop mid-run
    sim = await startSimulator({ seed: 31, counts: { affogato: ASSETS } });
    context = contextFor(
      simulatorEnv(sim, database.url, prefix, { affogato: 25 }, { ADMIN_PORT: '0', ADMIN_TOKEN: TOKEN, SYNC_CRON: '0 5 * * *', LOG_LEVEL: 'silent' }),
    );
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });
  beforeEach(async () => {
    await database.pool.query('TRUNCATE assets, sync_runs, sync_pages, quarantine CASCADE');
    sim.stats.reset();
  });

  it('boots with its schedules and admin server, runs a queued sync job, and stops cleanly', async () => {
    const controller = new AbortController();
    const worker = await boot(controller);
    try {
      const schedulers = await worker.queues.sync.getJobSchedulers();
      expect(schedulers.map((s) => [s.key, s.pattern, s.tz])).toEqual([['sync:affogato', '0 5 * * *', 'UTC']]);
      expect((await worker.queues.retention.getJobSchedulers()).map((s) => s.key).sort()).toEqual(['catalog:daily', 'history:prune', 'retention:apply']);
      expect((await worker.queues.dag.getJobSchedulers()).map((s) => s.key)).toEqual(['dag:sweep']);
      // no NOTIFY_WEBHOOK_URL here: this replica takes no delivery job (one that has the webhook delivers them)
      expect(await worker.queues.sync.getWorkersCount()).toBeGreaterThan(0);
      expect(await worker.queues.notify.getWorkersCount()).toBe(0);

      expect(worker.adminUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect((await fetch(`${worker.adminUrl}/healthz`)).status).toBe(200);
      expect((await fetch(`${worker.adminUrl}/readyz`)).status).toBe(200);
      expect((await fetch(`${worker.adminUrl}/admin/queues`)).status).toBe(401);
      expect((await fetch(`${worker.adminUrl}/admin/queues`, { headers: { authorization: `Bearer ${TOKEN}` } })).status).toBe(200);
      const listed = (await (await fetch(`${worker.adminUrl}/admin/schedules`, { headers: { authorization: `Bearer ${TOKEN}` } })).json()) as {
        schedules: Array<{ id: string; queue: string; job: string; pattern: string; next: string }>;
      };
      // queue by queue; within a queue, latest next run first (BullMQ's order), which the hour of the test decides
      expect(listed.schedules.map((s) => s.queue)).toEqual(['sync', 'retention', 'retention', 'retention', 'dag']);
      expect(listed.schedules.map((s) => [s.queue, s.id, s.job, s.pattern]).sort()).toEqual([
        ['dag', 'dag:sweep', 'dag.sweep', '* * * * *'],
        ['retention', 'catalog:daily', 'catalog.daily', '50 * * * *'],
        ['retention', 'history:prune', 'history.prune', '15 4 * * *'],
        ['retention', 'retention:apply', 'retention.apply', '30 3 * * *'],
        ['sync', 'sync:affogato', 'sync.provider', '0 5 * * *'],
      ]);
      expect(new Date(listed.schedules[0]?.next ?? 0).getUTCHours()).toBe(5);

      const job = await enqueue(worker.queues, 'sync.provider', { provider: 'affogato' });
      await waitFor(async () => ((await stateOf(worker.queues, job)) === 'completed' ? true : undefined), 200);
      const finished = await worker.queues.sync.getJob(job.id ?? '');
      expect(finished?.returnvalue).toMatchObject({ provider: 'affogato', state: 'complete', seen: ASSETS, inserted: ASSETS });
      await expectCatalogEqualsTruth();
      const runs = await database.pool.query('SELECT state FROM sync_runs');
      expect(runs.rows).toEqual([{ state: 'complete' }]);

      const metrics = await (await fetch(`${worker.adminUrl}/metrics`)).text();
      expect(metrics).toContain('asset_worker_job_attempts_total{queue="sync",job="sync.provider",outcome="completed"} 1');
      expect(metrics).toContain(`asset_worker_catalog_assets{provider="affogato",presence="live"} ${ASSETS}`);
    } finally {
      controller.abort();
      await worker.stopped;
    }
    // the admin server is gone with the worker
    await expect(fetch(`${worker.adminUrl}/healthz`)).rejects.toThrow();
  });

  it('stopped mid-sync: parks the job, leaves only whole pages in the catalog, and the next boot finishes exactly', async () => {
    const first = new AbortController();
    const worker = await boot(first);
    const job = await enqueue(worker.queues, 'sync.provider', { provider: 'affogato' });
    await waitFor(async () => ((await openRun())?.pages ?? 0) >= 5 ? true : undefined, 50);
    first.abort();
    await worker.stopped;

    // the job is parked for a later boot: not failed, not lost, no attempt burnt
    const inspect = createQueues(context.redis, prefix);
    try {
      const parked = await inspect.sync.getJob(job.id ?? '');
      expect(await parked?.getState()).toBe('delayed');
      expect(parked?.attemptsMade).toBe(0);
    } finally {
      await closeQueues(inspect);
    }

    // every committed page is in the catalog, and nothing else: no half-written batch
    const run = await openRun();
    expect(run).toBeDefined();
    const pageIds = await database.pool.query<{ id: string }>('SELECT DISTINCT unnest(asset_ids) AS id FROM sync_pages WHERE run_id = $1', [
      run?.id,
    ]);
    const catalogIds = await database.pool.query<{ asset_id: string }>("SELECT asset_id FROM assets WHERE provider = 'affogato'");
    expect(new Set(catalogIds.rows.map((r) => r.asset_id))).toEqual(new Set(pageIds.rows.map((r) => r.id)));
    expect(catalogIds.rows.length).toBe(run?.seen);
    expect(catalogIds.rows.length).toBeGreaterThan(0);
    expect(catalogIds.rows.length).toBeLessThan(ASSETS);

    const listedBefore = sim.stats.count('affogato', 'list');
    const second = new AbortController();
    const resumed = await boot(second);
    try {
      await waitFor(async () => ((await stateOf(resumed.queues, job)) === 'completed' ? true : undefined), 200);
      await expectCatalogEqualsTruth();
      const runs = await database.pool.query('SELECT id, state FROM sync_runs');
      expect(runs.rows).toEqual([{ id: run?.id, state: 'complete' }]);
      // resumed from the last committed page, not restarted
      const listedAfter = sim.stats.count('affogato', 'list') - listedBefore;
      expect(listedAfter).toBeLessThan(ASSETS / 50);
    } finally {
      second.abort();
      await resumed.stopped;
    }
  });

  it("with notifications on, takes the context's notify queue and leaves closing it to the context, after its last delivery jobs", async () => {
    const notifyPrefix = testQueuePrefix();
    const notifying = contextFor(
      simulatorEnv(sim, database.url, notifyPrefix, { affogato: 25 }, {
        ADMIN_PORT: '0',
        SYNC_CRON: '0 5 * * *',
        LOG_LEVEL: 'silent',
        // never called: no event is delivered while the worker runs
        NOTIFY_WEBHOOK_URL: 'http://127.0.0.1:9/hook',
        NOTIFY_WEBHOOK_SECRET: `whsec_${randomBytes(32).toString('base64')}`,
      }),
    );
    const inspect = createQueues(context.redis, notifyPrefix);
    let closed = false;
    try {
      const controller = new AbortController();
      const worker = await runWorker(notifying, { signal: controller.signal, adminHost: '127.0.0.1' });
      try {
        expect(notifying.notifyQueue).toBeDefined();
        expect(worker.queues.notify).toBe(notifying.notifyQueue);
        expect(await worker.queues.notify.getWorkersCount()).toBeGreaterThan(0);
      } finally {
        controller.abort();
        await worker.stopped;
      }
      // not closed by the worker: the context closes it, after adding the delivery jobs of its last events
      expect(notifying.notifyQueue?.closing).toBeUndefined();
      notifying.notifications?.recorded('evt_after_stop');
      await notifying.close();
      closed = true;
      expect(notifying.notifyQueue?.closing).toBeDefined();
      expect(await (await inspect.notify.getJob('evt_after_stop'))?.getState()).toBe('delayed');
    } finally {
      if (!closed) await notifying.close();
      await closeQueues(inspect);
      await clearPrefix(notifyPrefix);
    }
  });
});
