/**
 * The catalog report page (GET /admin/catalog-report) and its figures as JSON (GET /admin/catalog-report/data),
 * both over the last `?days=` UTC days (default 90, at most 366). The JSON summary of `report` stays at
 * /admin/report.
 */
import type { FastifyInstance } from 'fastify';
import { readCatalogTrends, type CatalogTrends } from '../db/catalog-trends.repository.ts';
import type { Db } from '../db/client.ts';
import { MAX_REPORT_DAYS, parseReportDays, reportWindow } from '../domain/report-window.ts';
import { registerAdminStatic } from './admin-static.ts';
import { CATALOG_REPORT_CSP, CATALOG_REPORT_PATH, renderCatalogReportPage } from './catalog-report-page.ts';

export interface CatalogReportDeps {
  db: Db;
  /** the registered providers' names: each gets its colour even with no figures */
  providerNames: readonly string[];
  /** HISTORY_KEEP_DAYS: a range longer than it gets a note under the charts of pruned history */
  historyKeepDays?: number | undefined;
  now?: () => Date;
}

export interface CatalogReportData extends CatalogTrends {
  generatedAt: string;
  days: number;
  from: string;
  to: string;
  dayList: string[];
  /** the registered providers, then any other one the figures name (e.g. one since disabled) */
  providers: string[];
}

type DaysQuery = { Querystring: { days?: string } };

function providersOf(registered: readonly string[], trends: CatalogTrends): string[] {
  const named = [...trends.catalogSize, ...trends.changes, ...trends.retention, ...trends.syncRuns].map((row) => row.provider);
  return [...new Set([...registered, ...[...new Set(named)].sort()])];
}

export function registerCatalogReportRoutes(app: FastifyInstance, deps: CatalogReportDeps): void {
  const files = registerAdminStatic(app);
  const now = deps.now ?? (() => new Date());
  const badDays = { error: `days must be a whole number from 1 to ${MAX_REPORT_DAYS}` };

  app.get<DaysQuery>(CATALOG_REPORT_PATH, (request, reply) => {
    const days = parseReportDays(request.query.days);
    if (days === undefined) return reply.code(400).send(badDays);
    return reply
      .header('content-type', 'text/html; charset=utf-8')
      .header('content-security-policy', CATALOG_REPORT_CSP)
      .header('cache-control', 'no-store')
      .send(renderCatalogReportPage(reportWindow(days, now()), files, deps.historyKeepDays));
  });

  app.get<DaysQuery>(`${CATALOG_REPORT_PATH}/data`, async (request, reply) => {
    const days = parseReportDays(request.query.days);
    if (days === undefined) return reply.code(400).send(badDays);
    const generatedAt = now();
    const window = reportWindow(days, generatedAt);
    const trends = await readCatalogTrends(deps.db, window);
    const data: CatalogReportData = {
      generatedAt: generatedAt.toISOString(),
      days,
      from: window.from,
      to: window.to,
      dayList: window.dayList,
      providers: providersOf(deps.providerNames, trends),
      ...trends,
    };
    return reply.header('cache-control', 'no-store').send(data);
  });
}
