/**
 * The catalog report page and its figures over real HTTP and a real database: the token guards them, the page
 * links its own files (no CDN) under a self-only Content-Security-Policy, and the figures are the seeded rows
 * summed per UTC day, with rows outside the window left out.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../src/admin/admin-server.ts';
import type { CatalogReportData } from '../src/admin/catalog-report.routes.ts';
import { createWorkerMetrics } from '../src/admin/metrics.ts';
import { createDependencyHealth } from '../src/health/dependency-health.ts';
import { postgresProbe, redisProbe } from '../src/health/dependency-probes.ts';
import { closeQueues, createQueues, type Queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { Secret } from '../src/secret.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const TOKEN = 'report-token-7c21e9';
const logger = createLogger('silent');
const DAY_MS = 86_400_000;
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
/** the UTC day `daysAgo` days before today, and an instant in it */
const day = (daysAgo: number) => new Date(today - daysAgo * DAY_MS).toISOString().slice(0, 10);
const at = (daysAgo: number, hour: number, seconds = 0) => new Date(today - daysAgo * DAY_MS + hour * 3_600_000 + seconds * 1000);

async function seed(database: TestDatabase): Promise<void> {
  const q = (text: string, values: unknown[] = []) => database.pool.query(text, values);
  await q(
    `INSERT INTO catalog_daily_figures (provider, day, status, kind, assets, bytes, as_of) VALUES
       ('affogato', $1, 'active', 'image', 100, 1000, $4), ('affogato', $1, 'active', 'video', 50, 5000, $4),
       ('affogato', $2, 'active', 'image', 120, 1200, $5), ('roughy', $2, NULL, NULL, 7, 70, $5),
       ('affogato', $3, 'active', 'image', 999, 9990, $6)`,
    [day(2), day(1), day(100), at(2, 23), at(1, 23), at(100, 23)],
  );
  await q(
    `INSERT INTO assets (provider, asset_id, raw, first_seen_at) VALUES
       ('affogato', 'a1', '{}', $1), ('affogato', 'a2', '{}', $1), ('affogato', 'a3', '{}', $1), ('roughy', 'r1', '{}', $2)`,
    [at(2, 10), at(1, 12)],
  );
  await q(
    `INSERT INTO asset_changes (provider, asset_id, change, old_value, new_value, observed_at, source) VALUES
       ('affogato', 'a8', 'removed', NULL, NULL, $1, 'sync'), ('affogato', 'a9', 'removed', NULL, NULL, $1, 'sync'),
       ('affogato', 'a7', 'appeared', NULL, NULL, $2, 'sync'), ('affogato', 'a1', 'title', 'Old', 'New', $2, 'sync'),
       ('roughy', 'r9', 'removed', NULL, NULL, $3, 'sync')`,
    [at(1, 8), at(1, 9), at(100, 9)],
  );
  // run 1 was decided late on day 2 and ended early on day 1; run 2 is still applying. As the writer leaves them,
  // only applied actions have an applied_at: a failed one counts on the day its run ended (or started, while open)
  const runs = await q(
    `INSERT INTO retention_runs (mode, providers, evaluated_at, started_at, finished_at, state) VALUES
       ('apply', '{affogato}', $1, $1, $2, 'done'), ('apply', '{mediapocket}', $3, $3, NULL, 'applying') RETURNING id`,
    [at(2, 23), at(1, 2), at(1, 20)],
  );
  const [done, applying] = runs.rows.map((row) => row.id as number);
  await q(
    `INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at, applied_at, error) VALUES
       ($1, 'affogato', 'a1', 'old', 'archive', 'applied', 'old', $3, $4, NULL), ($1, 'affogato', 'a2', 'old', 'archive', 'applied', 'old', $3, $4, NULL),
       ($1, 'affogato', 'a3', 'old', 'archive', 'skipped', 'old', $3, NULL, NULL),
       ($1, 'affogato', 'a4', 'old', 'archive', 'failed', 'old', $3, NULL, 'provider answered 503'),
       ($2, 'mediapocket', 'm1', 'old', 'trash', 'failed', 'old', $5, NULL, 'provider answered 503'),
       ($2, 'mediapocket', 'm2', 'old', 'trash', 'in_flight', 'old', $5, NULL, NULL)`,
    [done, applying, at(2, 23), at(1, 1), at(1, 20)],
  );
  await q(
    `INSERT INTO sync_runs (provider, state, started_at, finished_at, requests) VALUES
       ('affogato', 'complete', $1, $2, 42), ('roughy', 'partial', $3, $4, 7),
       ('affogato', 'running', $5, NULL, 3), ('affogato', 'complete', $6, $7, 40)`,
    [at(1, 10), at(1, 10, 90), at(1, 11), at(1, 11, 12.5), at(0, 0), at(100, 1), at(100, 2)],
  );
  await q(
    `INSERT INTO dag_action_runs (asset_id, dag_action_id, outcome, started_at, finished_at, deadline_at) VALUES
       ('m1', 'transcode', 'succeeded', $1, $2, $3), ('m2', 'transcode', 'succeeded', $1, $2, $3),
       ('m3', 'transcode', 'failed', $4, $5, $3), ('m4', 'transcode', 'starting', $6, NULL, $3)`,
    // counted on the day they ended: the first two and the failed one each started the day before
    [at(2, 22), at(1, 0, 30), at(0, 23), at(3, 23), at(2, 0, 10), new Date(today)],
  );
}

describe('the catalog report page', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  let database: TestDatabase;
  let queues: Queues;
  let server: AdminServer;
  const bearer = { authorization: `Bearer ${TOKEN}` };
  const get = (path: string, headers: Record<string, string> = bearer) => fetch(`${server.url}${path}`, { headers, redirect: 'manual' });

  beforeAll(async () => {
    database = await createTestDatabase();
    queues = createQueues(redis, prefix);
    await seed(database);
    const health = createDependencyHealth({ logger, probes: { postgres: postgresProbe(database.url), redis: redisProbe(redis) } });
    server = await startAdminServer(
      {
        db: database.db,
        health,
        queues,
        queuePrefix: prefix,
        metrics: createWorkerMetrics({ db: database.db, queues, logger, health }),
        logger,
        token: new Secret(TOKEN),
        providerNames: ['affogato', 'mediapocket', 'roughy'],
        historyKeepDays: 90,
      },
      0,
      '127.0.0.1',
    );
  });
  afterAll(async () => {
    await server?.close();
    await closeQueues(queues);
    redis.disconnect();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('answers 401 without the token, for the page, its figures and its files', async () => {
    for (const path of ['/admin/catalog-report', '/admin/catalog-report/data', '/admin/static/chart.umd.js', '/admin/static/catalog-report.js']) {
      const response = await get(path, {});
      expect(response.status, path).toBe(401);
      expect((await get(path, { authorization: 'Bearer wrong' })).status, path).toBe(401);
    }
  });

  it('serves the page with a self-only CSP, linking its own script, Chart.js and the queue dashboard', async () => {
    const page = await get('/admin/catalog-report');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(page.headers.get('content-security-policy')).not.toContain('unsafe-inline');
    const html = await page.text();
    expect(html).toContain('<h1>Catalog report</h1>');
    expect(html).toContain(`The last 90 days: ${day(89)} to ${day(0)}`);
    expect(html).toContain('href="/admin/queues"');
    expect(html).not.toMatch(/<script>|<style|https?:\/\//);
    const scripts = [...html.matchAll(/<script src="([^"]+)"/g)].map((match) => match[1]!);
    expect(scripts.map((src) => src.replace(/\?v=[0-9a-f]{12}$/, ''))).toEqual(['/admin/static/chart.umd.js', '/admin/static/catalog-report.js']);
    const chart = await get(scripts[0]!);
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(chart.headers.get('cache-control')).toBe('private, max-age=31536000, immutable');
    expect(await chart.text()).toContain('Chart.js v4');
    const own = await get(scripts[1]!);
    expect(await own.text()).toContain("fetch(body.dataset.dataUrl");
    const css = /<link rel="stylesheet" href="([^"]+)"/.exec(html)?.[1];
    expect((await get(css!)).headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect((await get('/admin/static/nothing.js')).status).toBe(404);
  });

  it('logs a browser in with ?token= once: the cookie then opens the page and its figures', async () => {
    const login = await get('/admin/catalog-report?token=' + TOKEN + '&days=30', {});
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/catalog-report?days=30');
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
    expect((await get('/admin/catalog-report?days=30', { cookie })).status).toBe(200);
    expect((await get('/admin/catalog-report/data?days=30', { cookie })).status).toBe(200);
  });

  it('returns the seeded figures summed per provider and UTC day, within the window only', async () => {
    const response = await get('/admin/catalog-report/data');
    expect(response.status).toBe(200);
    const data = (await response.json()) as CatalogReportData;
    expect(data.days).toBe(90);
    expect(data.dayList).toHaveLength(90);
    expect([data.from, data.to]).toEqual([day(89), day(0)]);
    expect(data.providers).toEqual(['affogato', 'mediapocket', 'roughy']);
    expect(data.catalogAsOf).toBe(at(1, 23).toISOString());
    expect(data.catalogSize).toEqual([
      { provider: 'affogato', day: day(2), assets: 150, bytes: 6000 },
      { provider: 'affogato', day: day(1), assets: 120, bytes: 1200 },
      { provider: 'roughy', day: day(1), assets: 7, bytes: 70 },
    ]);
    expect(data.changes).toEqual([
      { provider: 'affogato', day: day(2), appeared: 3, removed: 0 },
      { provider: 'affogato', day: day(1), appeared: 1, removed: 2 },
      { provider: 'roughy', day: day(1), appeared: 1, removed: 0 },
    ]);
    expect(data.retention).toEqual([
      { day: day(2), provider: 'affogato', state: 'skipped', actions: 1 },
      { day: day(1), provider: 'affogato', state: 'applied', actions: 2 },
      { day: day(1), provider: 'affogato', state: 'failed', actions: 1 },
      { day: day(1), provider: 'mediapocket', state: 'failed', actions: 1 },
      { day: day(1), provider: 'mediapocket', state: 'planned', actions: 1 },
    ]);
    expect(data.syncRuns.map(({ provider, state, seconds, requests }) => ({ provider, state, seconds, requests }))).toEqual([
      { provider: 'affogato', state: 'complete', seconds: 90, requests: 42 },
      { provider: 'roughy', state: 'partial', seconds: 12.5, requests: 7 },
    ]);
    expect(data.syncRuns[0]?.finishedAt).toBe(at(1, 10, 90).toISOString());
    expect(data.syncRunsTruncated).toBe(false);
    expect(data.dagOutcomes).toEqual([
      { day: day(2), outcome: 'failed', runs: 1 },
      { day: day(1), outcome: 'succeeded', runs: 2 },
      { day: day(0), outcome: 'running', runs: 1 },
    ]);
  });

  it('counts a failed action on the day its run carried it out, not on the day it was decided', async () => {
    // a4 was decided on day 2 and failed without an applied_at in a run that ended on day 1
    const data = (await (await get('/admin/catalog-report/data?days=3')).json()) as CatalogReportData;
    const failed = data.retention.filter((row) => row.state === 'failed');
    expect(failed).toEqual([
      { day: day(1), provider: 'affogato', state: 'failed', actions: 1 },
      { day: day(1), provider: 'mediapocket', state: 'failed', actions: 1 },
    ]);
  });

  it('notes under the charts of pruned history when the range is longer than HISTORY_KEEP_DAYS', async () => {
    const note = `History is kept 90 days (HISTORY_KEEP_DAYS): before ${day(89)} it has been pruned.`;
    const pruned = (html: string) => [...html.matchAll(/<section class="chart" id="chart-([a-z-]+)"[^]*?<\/section>/g)]
      .filter((match) => match[0].includes('class="note pruned"'))
      .map((match) => [match[1], match[0].includes(note)]);
    expect(pruned(await (await get('/admin/catalog-report')).text())).toEqual([]);
    expect(pruned(await (await get('/admin/catalog-report?days=180')).text())).toEqual([
      ['retention', true],
      ['dag', true],
      ['sync-seconds', true],
      ['sync-requests', true],
    ]);
  });

  it('widens and narrows with ?days=, and refuses a range out of bounds', async () => {
    const wide = (await (await get('/admin/catalog-report/data?days=120')).json()) as CatalogReportData;
    expect(wide.catalogSize.find((row) => row.day === day(100))?.assets).toBe(999);
    expect(wide.changes.find((row) => row.day === day(100))).toEqual({ provider: 'roughy', day: day(100), appeared: 0, removed: 1 });
    expect(wide.syncRuns).toHaveLength(3);
    const narrow = (await (await get('/admin/catalog-report/data?days=1')).json()) as CatalogReportData;
    expect(narrow.dayList).toEqual([day(0)]);
    expect(narrow.catalogSize).toEqual([]);
    expect(narrow.catalogAsOf).toBeNull();
    expect(narrow.dagOutcomes).toEqual([{ day: day(0), outcome: 'running', runs: 1 }]);
    for (const days of ['0', '367', 'abc', '-5', '1.5']) {
      expect((await get(`/admin/catalog-report/data?days=${days}`)).status, days).toBe(400);
      expect((await get(`/admin/catalog-report?days=${days}`)).status, days).toBe(400);
    }
  });
});
