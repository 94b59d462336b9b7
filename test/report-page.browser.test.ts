/**
 * The catalog report page in a real browser (headless Debian Chromium driven by playwright-core): logged in with
 * ?token= once, every chart is drawn from the seeded history (its pixels, and its Chart.js datasets hold the
 * seeded figures), nothing breaks the page's CSP, the print stylesheet keeps the charts drawn on one page, and an
 * empty database shows "No data yet" in each chart's place. Saves a screenshot of the page to
 * test-results/report-page.png; with UPDATE_README_SCREENSHOT=1, to docs/report-page.png, the one the README shows
 * (its dates move with the day it was taken, so an ordinary run leaves the committed one alone).
 */
import { existsSync, mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAdminServer, type AdminServer } from '../src/admin/admin-server.ts';
import { createWorkerMetrics } from '../src/admin/metrics.ts';
import { createDependencyHealth } from '../src/health/dependency-health.ts';
import { postgresProbe, redisProbe } from '../src/health/dependency-probes.ts';
import { closeQueues, createQueues, type Queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { Secret } from '../src/secret.ts';
import { probeCharts, type ChartProbe } from './support/chart-probe.ts';
import { SEEDED_PROVIDERS, seedReportHistory, type SeededTotals } from './support/report-seed.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const CHROMIUM = '/usr/bin/chromium';
const MISSING = `${CHROMIUM} is missing: the report page's browser test needs Debian's chromium package (.ci/run installs it when missing)`;
const chromiumMissing = !existsSync(CHROMIUM);
if (chromiumMissing) console.warn(`skipping test/report-page.browser.test.ts: ${MISSING}`);

const SCREENSHOT = resolve(
  import.meta.dirname,
  '..',
  process.env.UPDATE_README_SCREENSHOT === '1' ? 'docs' : 'test-results',
  'report-page.png',
);
const TOKEN = 'browser-token-5d0b7e';
const SEEDED_DAYS = 60;
const CHART_IDS = ['catalog-assets', 'catalog-bytes', 'appeared', 'removed', 'retention', 'dag', 'sync-seconds', 'sync-requests'];
const logger = createLogger('silent');

// the page's global, for the functions passed to page.evaluate (the project compiles without the DOM library)
declare const document: { body: { dataset: Record<string, string | undefined> }; querySelectorAll(selector: string): Iterable<{ clientHeight: number }> };

describe('the catalog report page in Chromium', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  const servers: AdminServer[] = [];
  const databases: TestDatabase[] = [];
  let queues: Queues;
  let browser: Browser | undefined;
  let seeded: SeededTotals;
  let page: Page;
  /** console errors and uncaught exceptions of the page: a CSP violation shows here */
  const pageErrors: string[] = [];

  async function serve(database: TestDatabase): Promise<AdminServer> {
    const health = createDependencyHealth({ logger, probes: { postgres: postgresProbe(database.url), redis: redisProbe(redis) } });
    const metrics = createWorkerMetrics({ db: database.db, queues, logger, health });
    const deps = {
      db: database.db,
      health,
      queues,
      queuePrefix: prefix,
      metrics,
      logger,
      token: new Secret(TOKEN),
      providerNames: SEEDED_PROVIDERS,
      // as many days as the seed writes: the 90-day page notes that history before them is pruned
      historyKeepDays: SEEDED_DAYS,
    };
    const server = await startAdminServer(deps, 0, '127.0.0.1');
    servers.push(server);
    return server;
  }

  async function openReport(server: AdminServer): Promise<Page> {
    const context = await browser!.newContext({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: 1 });
    // no time limit of Playwright's own (30 s by default) on navigations and waits: only vitest's testTimeout applies
    context.setDefaultTimeout(0);
    context.setDefaultNavigationTimeout(0);
    const opened = await context.newPage();
    opened.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
    opened.on('pageerror', (error) => pageErrors.push(error.message));
    await opened.goto(`${server.url}/admin/catalog-report?token=${TOKEN}`);
    await opened.waitForFunction(() => document.body.dataset.state !== undefined);
    return opened;
  }

  const probe = (on: Page) => on.evaluate(probeCharts);
  const byLabel = (chart: ChartProbe | undefined) => new Map((chart?.datasets ?? []).map((dataset) => [dataset.label, dataset]));

  beforeAll(async () => {
    if (chromiumMissing) return;
    queues = createQueues(redis, prefix);
    const database = await createTestDatabase();
    databases.push(database);
    seeded = await seedReportHistory(database.pool, { now: new Date(), days: SEEDED_DAYS });
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      headless: true,
      timeout: 0,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await openReport(await serve(database));
  });

  afterAll(async () => {
    await browser?.close();
    for (const server of servers) await server.close();
    if (queues !== undefined) await closeQueues(queues);
    redis.disconnect();
    for (const database of databases) await database.drop();
    await clearPrefix(prefix);
  });

  it('logs in with ?token= and draws every chart from the seeded figures', async (context) => {
    if (chromiumMissing) return context.skip(MISSING);
    expect(page.url()).toMatch(/\/admin\/catalog-report$/);
    expect(await page.evaluate(() => document.body.dataset.state)).toBe('ready');
    const charts = await probe(page);
    expect(charts.map((chart) => chart.id)).toEqual(CHART_IDS);
    for (const chart of charts) {
      expect(chart.drawn, chart.id).toBe(true);
      expect(chart.message, chart.id).toBeNull();
      expect(chart.width, chart.id).toBeGreaterThan(400);
      expect(chart.height, chart.id).toBeGreaterThan(200);
      // axes, labels and data: far more than a blank or axes-only canvas of this size holds
      expect(chart.painted, chart.id).toBeGreaterThan(20_000);
      for (const dataset of chart.datasets) {
        expect(dataset.points, `${chart.id} ${dataset.label}`).toBeGreaterThan(0);
        expect(dataset.colourPixels, `${chart.id} ${dataset.label} drawn in its colour`).toBeGreaterThan(20);
      }
    }
    const [assets, bytes, appeared, removed, retention, dag, seconds, requests] = charts.map(byLabel);
    for (const provider of SEEDED_PROVIDERS) {
      const daily = seeded.assetsByDay[provider]!;
      expect(assets!.get(provider)?.points, provider).toBe(daily.length);
      expect(assets!.get(provider)?.sum, provider).toBe(daily.reduce((sum, n) => sum + n, 0));
      expect(bytes!.get(provider)?.points, provider).toBe(daily.length);
      expect(appeared!.get(provider)?.sum, provider).toBe(seeded.appeared[provider]);
      expect(removed!.get(provider)?.sum, provider).toBe(seeded.removed[provider]);
      expect(seconds!.get(provider)?.points, provider).toBe(seeded.syncRuns[provider]);
      expect(requests!.get(provider)?.sum, provider).toBe(seeded.syncRequests[provider]);
    }
    expect(Object.fromEntries([...retention!].map(([state, dataset]) => [state, dataset.sum]))).toEqual(seeded.retentionByState);
    expect(Object.fromEntries([...dag!].map(([outcome, dataset]) => [outcome, dataset.sum]))).toEqual(seeded.dagByOutcome);
    const pruned = await page.$$eval('section[data-chart]:has(.note.pruned)', (sections) => sections.map((section) => section.id));
    expect(pruned).toEqual(['chart-retention', 'chart-dag', 'chart-sync-seconds', 'chart-sync-requests']);
    expect(await page.textContent('#taken')).toMatch(/^Figures read \d{4}-\d\d-\d\d \d\d:\d\d UTC; the newest catalog figures were taken /);
    expect(pageErrors).toEqual([]);

    mkdirSync(dirname(SCREENSHOT), { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
  });

  it('prints on one page: no navigation, the charts redrawn at the print size', async (context) => {
    if (chromiumMissing) return context.skip(MISSING);
    const onScreen = await probe(page);
    await page.emulateMedia({ media: 'print' });
    // the charts follow their boxes' new size (ResizeObserver), then draw at once (animations are off)
    await page.waitForFunction(
      (before) => [...document.querySelectorAll('section[data-chart] canvas')].every((canvas) => canvas.clientHeight > 0 && canvas.clientHeight < before),
      Math.min(...onScreen.map((chart) => chart.height)),
    );
    expect(await page.isVisible('nav')).toBe(false);
    const printed = await probe(page);
    for (const chart of printed) {
      expect(chart.drawn, chart.id).toBe(true);
      expect(chart.painted, chart.id).toBeGreaterThan(10_000);
      for (const dataset of chart.datasets) expect(dataset.colourPixels, `${chart.id} ${dataset.label}`).toBeGreaterThan(10);
    }
    for (const format of ['A4', 'Letter']) {
      const pdf = (await page.pdf({ format })).toString('latin1');
      expect(pdf.match(/\/Type\s*\/Page\b/g)?.length, `pages on ${format}`).toBe(1);
    }
    await page.emulateMedia({ media: 'screen' });
    expect(pageErrors).toEqual([]);
  });

  it('says "No data yet" in each chart\'s place when there are no figures', async (context) => {
    if (chromiumMissing) return context.skip(MISSING);
    const empty = await createTestDatabase();
    databases.push(empty);
    const emptyPage = await openReport(await serve(empty));
    const charts = await probe(emptyPage);
    expect(charts.map((chart) => chart.id)).toEqual(CHART_IDS);
    for (const chart of charts) {
      expect(chart.drawn, chart.id).toBe(false);
      expect(chart.message, chart.id).toMatch(/^No data yet: /);
      expect(await emptyPage.isVisible(`#chart-${chart.id} .empty`), chart.id).toBe(true);
    }
    expect(await emptyPage.textContent('#taken')).toMatch(/^Figures read .* UTC\.$/);
    expect(pageErrors).toEqual([]);
  });
});
