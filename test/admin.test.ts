/**
 * The admin server over real HTTP: health, readiness against real and unreachable servers, metrics read from
 * Postgres and BullMQ, and the token guarding the dashboard and the JSON endpoints.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer, type AdminServerDeps } from '../src/admin/admin-server.ts';
import { createWorkerMetrics } from '../src/admin/metrics.ts';
import { createDb, createPool } from '../src/db/client.ts';
import { createDependencyHealth } from '../src/health/dependency-health.ts';
import { postgresProbe, redisProbe } from '../src/health/dependency-probes.ts';
import { enqueue, closeQueues, createQueues, type Queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { Secret } from '../src/secret.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { affogatoAgainst } from './support/provider-harness.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const TOKEN = 'admin-token-3f9a1c';
const logger = createLogger('silent');

describe('admin server', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  let database: TestDatabase;
  let sim: Simulator;
  let queues: Queues;
  let open: AdminServer;
  let guarded: AdminServer;

  const depsWith = (token: Secret | undefined): AdminServerDeps => {
    const health = createDependencyHealth({ logger, probes: { postgres: postgresProbe(database.url), redis: redisProbe(redis) } });
    return {
      db: database.db,
      health,
      queues,
      queuePrefix: prefix,
      metrics: createWorkerMetrics({ db: database.db, queues, logger, health }),
      logger,
      token,
    };
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = createQueues(redis, prefix);
    sim = await startSimulator({ seed: 5, counts: { affogato: 120 } });
    const affogato = affogatoAgainst(sim, { redis, prefix });
    await syncProvider({ pool: database.pool, logger }, affogato.provider);
    await affogato.close();
    // one waiting job, for the queue gauges
    await enqueue(queues, 'bulk.chunk', { operationId: 1, chunk: 0 });
    open = await startAdminServer(depsWith(undefined), 0, '127.0.0.1');
    guarded = await startAdminServer(depsWith(new Secret(TOKEN)), 0, '127.0.0.1');
  });
  afterAll(async () => {
    await open.close();
    await guarded.close();
    await closeQueues(queues);
    redis.disconnect();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('answers /healthz and /readyz when Postgres and Redis answer', async () => {
    const health = await fetch(`${open.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${open.url}/readyz`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toEqual({ status: 'ready', postgres: 'ok', redis: 'ok' });
  });

  it('answers /readyz 503 naming what is down when Postgres and Redis do not answer', async () => {
    const deadPool = createPool('postgres://postgres@127.0.0.1:1/nothing', 1);
    // fails once and stays down (no reconnect loop), so every request to it fails at once
    const deadRedis = new Redis('redis://127.0.0.1:1', { retryStrategy: () => null, enableOfflineQueue: false, maxRetriesPerRequest: 0 });
    const connectionErrors: unknown[] = [];
    deadRedis.on('error', (error) => connectionErrors.push(error));
    const deadDb = createDb(deadPool);
    const deadQueues = createQueues(deadRedis, prefix);
    const deadHealth = createDependencyHealth({ logger, probes: { postgres: postgresProbe('postgres://postgres@127.0.0.1:1/nothing'), redis: redisProbe(deadRedis) } });
    const server = await startAdminServer(
      {
        ...depsWith(new Secret(TOKEN)),
        db: deadDb,
        health: deadHealth,
        queues: deadQueues,
        metrics: createWorkerMetrics({ db: deadDb, queues: deadQueues, logger, health: deadHealth }),
      },
      0,
      '127.0.0.1',
    );
    try {
      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const ready = await fetch(`${server.url}/readyz`);
      expect(ready.status).toBe(503);
      const body = (await ready.json()) as Record<string, string>;
      expect(body.status).toBe('not ready');
      expect(body.postgres).not.toBe('ok');
      expect(body.redis).not.toBe('ok');
      expect(connectionErrors.length).toBeGreaterThan(0);
      // metrics still answer, and say which source could not be read
      const metrics = await (await fetch(`${server.url}/metrics`)).text();
      expect(metrics).toContain('asset_worker_metrics_source_up{source="postgres"} 0');
      expect(metrics).toContain('asset_worker_metrics_source_up{source="redis"} 0');
      expect(metrics).toContain('asset_worker_dependency_up{dependency="postgres"} 0');
      expect(metrics).toContain('asset_worker_dependency_up{dependency="redis"} 0');
      expect(metrics).not.toMatch(/asset_worker_catalog_assets\{/);
      expect(metrics).not.toMatch(/asset_worker_queue_jobs\{/);
      expect(metrics).toContain('process_cpu_user_seconds_total');
      // an admin endpoint that cannot read its source answers 500 without internals
      const report = await fetch(`${server.url}/admin/report`, { headers: { authorization: `Bearer ${TOKEN}` } });
      expect(report.status).toBe(500);
      expect(await report.json()).toEqual({ error: 'internal error' });
    } finally {
      await server.close();
      deadHealth.close();
      await closeQueues(deadQueues);
      deadRedis.disconnect();
      await deadPool.end();
    }
  });

  it('serves Prometheus metrics read from Postgres and BullMQ, plus the process defaults', async () => {
    const response = await fetch(`${open.url}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/plain');
    const text = await response.text();
    expect(text).toContain('asset_worker_catalog_assets{provider="affogato",presence="live"} 120');
    expect(text).toContain('asset_worker_catalog_assets{provider="affogato",presence="removed"} 0');
    expect(text).toContain('asset_worker_catalog_assets{provider="roughy",presence="live"} 0');
    expect(text).toContain('asset_worker_sync_runs{provider="affogato",state="complete"} 1');
    expect(text).toContain('asset_worker_last_sync_partial{provider="affogato"} 0');
    expect(text).toMatch(/asset_worker_last_complete_sync_age_seconds\{provider="affogato"\} \d+/);
    expect(text).not.toMatch(/asset_worker_last_complete_sync_age_seconds\{provider="roughy"\}/);
    expect(text).toContain('asset_worker_queue_jobs{queue="bulk",state="waiting"} 1');
    expect(text).toContain('asset_worker_queue_jobs{queue="sync",state="active"} 0');
    expect(text).toContain('asset_worker_queue_jobs{queue="notify",state="failed"} 0');
    expect(text).toContain('asset_worker_notification_events_undelivered 0');
    expect(text).toContain('asset_worker_metrics_source_up{source="postgres"} 1');
    expect(text).toContain('asset_worker_metrics_source_up{source="redis"} 1');
    expect(text).toContain('asset_worker_dependency_up{dependency="postgres"} 1');
    expect(text).toContain('process_cpu_user_seconds_total');
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('without ADMIN_TOKEN serves only health, readiness and metrics: the rest is 404', async () => {
    for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/report', '/admin/sync-runs', '/admin/schedules']) {
      expect((await fetch(`${open.url}${path}`)).status, path).toBe(404);
      expect((await fetch(`${open.url}${path}`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, path).toBe(404);
    }
  });

  it('with ADMIN_TOKEN: 401 without a token or with a wrong one, health and metrics stay open', async () => {
    expect((await fetch(`${guarded.url}/healthz`)).status).toBe(200);
    expect((await fetch(`${guarded.url}/metrics`)).status).toBe(200);
    const wrong: Array<Record<string, string>> = [
      {},
      { authorization: 'Bearer wrong-token' },
      { authorization: `Bearer ${TOKEN}x` },
      { authorization: `Basic ${Buffer.from(`admin:${TOKEN}`).toString('base64')}` },
      { cookie: 'alw_admin_session=forged' },
      { cookie: `alw_admin_session=${TOKEN}` },
    ];
    for (const headers of wrong) {
      for (const path of ['/admin/queues', '/admin/queues/api/queues', '/admin/report', '/admin/sync-runs']) {
        const response = await fetch(`${guarded.url}${path}`, { headers, redirect: 'manual' });
        expect(response.status, `${path} ${JSON.stringify(headers)}`).toBe(401);
        expect(await response.text()).not.toContain(TOKEN);
      }
    }
    const wrongQuery = await fetch(`${guarded.url}/admin/queues?token=nope`, { redirect: 'manual' });
    expect(wrongQuery.status).toBe(401);
    expect(wrongQuery.headers.get('set-cookie')).toBeNull();
  });

  it('with the bearer token: the dashboard, its API and the JSON endpoints', async () => {
    const headers = { authorization: `Bearer ${TOKEN}` };
    const page = await fetch(`${guarded.url}/admin/queues`, { headers });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    const html = await page.text();
    expect(html).toContain('<base href="/admin/queues/" />');
    const script = /src="(static\/js\/main\.[^"]+\.js)"/.exec(html)?.[1];
    expect(script).toBeDefined();
    expect((await fetch(`${guarded.url}/admin/queues/${script}`, { headers })).status).toBe(200);
    expect((await fetch(`${guarded.url}/admin/queues/${script}`)).status).toBe(401);

    const api = await fetch(`${guarded.url}/admin/queues/api/queues?activeQueue=bulk&page=1`, { headers });
    expect(api.status).toBe(200);
    const { queues: listed } = (await api.json()) as { queues: Array<{ name: string; counts: Record<string, number> }> };
    expect(listed.map((q) => q.name).sort()).toEqual(['bulk', 'dag', 'notify', 'retention', 'sync']);
    expect(listed.find((q) => q.name === 'bulk')?.counts.waiting).toBe(1);

    const report = (await (await fetch(`${guarded.url}/admin/report`, { headers })).json()) as { providers: Array<{ provider: string; live: number }> };
    expect(report.providers.find((p) => p.provider === 'affogato')?.live).toBe(120);
    const runs = (await (await fetch(`${guarded.url}/admin/sync-runs?provider=affogato`, { headers })).json()) as { runs: Array<{ state: string }> };
    expect(runs.runs.map((run) => run.state)).toEqual(['complete']);
    expect((await fetch(`${guarded.url}/admin/sync-runs?provider=nobody`, { headers })).status).toBe(400);
  });

  it('?token= sets an HttpOnly session cookie (not the token) and drops the token from the address', async () => {
    const first = await fetch(`${guarded.url}/admin/queues?token=${TOKEN}&activeQueue=sync`, { redirect: 'manual' });
    expect(first.status).toBe(303);
    expect(first.headers.get('location')).toBe('/admin/queues?activeQueue=sync');
    const setCookie = first.headers.get('set-cookie') ?? '';
    expect(setCookie).toMatch(/^alw_admin_session=[^;]+; HttpOnly; SameSite=Strict; Path=\/admin/);
    expect(setCookie).not.toContain(TOKEN);
    const cookie = setCookie.split(';')[0] ?? '';

    const page = await fetch(`${guarded.url}/admin/queues`, { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<html');
    const api = await fetch(`${guarded.url}/admin/queues/api/queues`, { headers: { cookie } });
    expect(api.status).toBe(200);
  });
});
