/**
 * `demo` end to end, as a person runs it: every step happens, against its own database and queue prefix, and the
 * admin server stays up until Ctrl-C.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dropDatabase } from '../src/db/migrate.ts';
import { waitFor } from './support/catalog.ts';
import { startCli } from './support/cli.ts';
import { clearPrefix, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from './support/services.ts';

const ASSETS = 400;

describe('demo', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let demoUrl: string;

  beforeAll(async () => {
    database = await createTestDatabase();
    const url = new URL(database.url);
    url.pathname = `${url.pathname}_demo`;
    demoUrl = url.toString();
  });
  afterAll(async () => {
    await dropDatabase(demoUrl);
    await database.drop();
    await clearPrefix(`${prefix}-demo`);
  });

  it('runs every step against its own database and prefix, then serves the admin server until Ctrl-C', async () => {
    const demo = startCli(['demo', '--assets', String(ASSETS)], {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      ADMIN_PORT: '0',
      LOG_LEVEL: 'info',
    });
    let stdout = '';
    let stderr = '';
    demo.child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    demo.child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const dashboard = await Promise.race([
      waitFor(async () => /dashboard:\s+(http:\/\/\S+\?token=\S+)/.exec(stdout)?.[1], 100),
      demo.result.then((r) => Promise.reject(new Error(`demo exited (${r.code}) early:\n${stdout}\n${stderr}`))),
    ]);
    await waitFor(async () => (stdout.includes('Press Ctrl-C') ? true : undefined), 50);

    for (const heading of ['Provider simulator', 'Database', 'Sync', 'Retention', 'Media Pocket DAG action', 'Daily catalog figures', 'Catalog report', 'Worker and admin server']) {
      expect(stdout).toContain(heading);
    }
    expect(stdout).toMatch(/affogato\s+complete\s+\d+\s+400\s+400/);
    expect(stdout).toMatch(/mediapocket\s+complete\s+\d+\s+400\s+400/);
    expect(stdout).toMatch(/roughy\s+complete\s+\d+\s+400\s+400/);
    expect(stdout).toContain('outcome:  succeeded');

    // the admin server is up: health, metrics and the dashboard through the printed link
    const base = new URL(dashboard).origin;
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
    const metrics = await (await fetch(`${base}/metrics`)).text();
    expect(metrics).toMatch(/asset_worker_catalog_assets\{provider="roughy",presence="live"\} \d+/);
    const login = await fetch(dashboard, { redirect: 'manual' });
    expect(login.status).toBe(303);
    const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0] ?? '';
    expect((await fetch(`${base}/admin/queues`, { headers: { cookie } })).status).toBe(200);
    // the report page's link, next to the dashboard's, and the daily figures it draws the catalog size from
    const reportPage = /report page:\s+(http:\/\/\S+)\?token=\S+/.exec(stdout)?.[1];
    expect(reportPage).toBe(`${base}/admin/catalog-report`);
    expect((await fetch(`${reportPage}`, { headers: { cookie } })).status).toBe(200);
    const figures = (await (await fetch(`${reportPage}/data`, { headers: { cookie } })).json()) as { catalogSize: { provider: string }[] };
    expect([...new Set(figures.catalogSize.map((row) => row.provider))].sort()).toEqual(['affogato', 'mediapocket', 'roughy']);

    // everything happened in the demo's own database; the configured one was not touched
    const demoDb = new pg.Client({ connectionString: demoUrl });
    await demoDb.connect();
    try {
      const runs = await demoDb.query<{ provider: string; state: string }>('SELECT provider, state FROM sync_runs ORDER BY provider');
      expect(runs.rows).toEqual([
        { provider: 'affogato', state: 'complete' },
        { provider: 'mediapocket', state: 'complete' },
        { provider: 'roughy', state: 'complete' },
      ]);
      const applied = await demoDb.query<{ provider: string; n: number }>(
        "SELECT provider, count(*)::int AS n FROM retention_log WHERE state = 'applied' GROUP BY provider ORDER BY provider",
      );
      expect(applied.rows.map((row) => row.provider)).toEqual(['affogato', 'mediapocket', 'roughy']);
      const dag = await demoDb.query('SELECT outcome, status FROM dag_runs');
      expect(dag.rows).toEqual([{ outcome: 'succeeded', status: 'finished' }]);
      // computed after retention: the newest day counts the live catalog as the demo left it
      const daily = await demoDb.query<{ provider: string; assets: number }>(
        'SELECT provider, sum(assets)::int AS assets FROM catalog_daily WHERE day = (SELECT max(day) FROM catalog_daily) GROUP BY provider ORDER BY provider',
      );
      const live = await demoDb.query<{ provider: string; assets: number }>(
        'SELECT provider, count(*)::int AS assets FROM catalog_assets WHERE removed_at IS NULL GROUP BY provider ORDER BY provider',
      );
      expect(daily.rows.map((row) => row.provider)).toEqual(['affogato', 'mediapocket', 'roughy']);
      expect(daily.rows).toEqual(live.rows);
    } finally {
      await demoDb.end();
    }
    const untouched = await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM assets');
    expect(untouched.rows[0]?.n).toBe(0);

    demo.child.kill('SIGINT');
    const result = await demo.result;
    expect(result.code, stderr).toBe(0);
    expect(stdout).toContain('stopped.');
  });
});
