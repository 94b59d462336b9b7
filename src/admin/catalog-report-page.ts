/**
 * The catalog report page: plain HTML from the server, one section per chart. The page's script
 * (static/catalog-report.js) fetches the figures and draws each chart, or says in its place that there is no data
 * yet. No inline script or style, so the page's Content-Security-Policy allows 'self' only.
 */
import { historyKeptFrom, type ReportWindow } from '../domain/report-window.ts';
import type { StaticFiles } from './admin-static.ts';
import { DASHBOARD_PATH } from './queue-dashboard.ts';

export const CATALOG_REPORT_PATH = '/admin/catalog-report';

export const CATALOG_REPORT_CSP =
  "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

interface ChartSection {
  id: string;
  title: string;
  /** what the figures are, under the title */
  note: string;
  /** drawn from history that HISTORY_KEEP_DAYS prunes (sync runs, retention actions, DAG runs) */
  pruned?: true;
}

/** In the page's order; the script draws each by its id. */
export const REPORT_CHARTS: readonly ChartSection[] = [
  { id: 'catalog-assets', title: 'Catalog size: assets', note: 'Assets per provider at the end of each day (catalog_daily).' },
  { id: 'catalog-bytes', title: 'Catalog size: bytes', note: 'Bytes per provider at the end of each day (catalog_daily).' },
  { id: 'appeared', title: 'Appearances per day', note: 'Assets first seen, or back after a removal (catalog_changes).' },
  { id: 'removed', title: 'Removals per day', note: 'Assets found gone from their provider (catalog_changes).' },
  {
    id: 'retention',
    title: 'Retention actions per day',
    note: 'By state; applied ones when applied, failed ones when their run ended (retention_log).',
    pruned: true,
  },
  { id: 'dag', title: 'DAG runs per day', note: 'By outcome, on the day they ended (dag_runs).', pruned: true },
  { id: 'sync-seconds', title: 'Sync duration', note: 'Seconds from start to finish of each finished sync run (sync_runs).', pruned: true },
  { id: 'sync-requests', title: 'Sync requests', note: 'Requests to the provider made by each finished sync run (sync_runs).', pruned: true },
];

const RANGES = [30, 90, 180, 365];

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function section(chart: ChartSection, pruneNote: string | undefined): string {
  const pruned = chart.pruned === true && pruneNote !== undefined ? `\n        <p class="note pruned">${escapeHtml(pruneNote)}</p>` : '';
  return `
      <section class="chart" id="chart-${chart.id}" data-chart="${chart.id}">
        <h2>${escapeHtml(chart.title)}</h2>
        <p class="note">${escapeHtml(chart.note)}</p>${pruned}
        <div class="plot"><canvas role="img" aria-label="${escapeHtml(chart.title)}"></canvas></div>
      </section>`;
}

/** Under the charts of pruned history when the range reaches back further than it is kept; else undefined. */
function pruneNoteOf(window: ReportWindow, historyKeepDays: number | undefined): string | undefined {
  const keptFrom = historyKeepDays === undefined ? undefined : historyKeptFrom(window, historyKeepDays);
  if (keptFrom === undefined) return undefined;
  return `History is kept ${historyKeepDays} days (HISTORY_KEEP_DAYS): before ${keptFrom} it has been pruned.`;
}

/** `historyKeepDays`: HISTORY_KEEP_DAYS, for the note under the charts of pruned history (none when unknown) */
export function renderCatalogReportPage(window: ReportWindow, files: StaticFiles, historyKeepDays?: number): string {
  const pruneNote = pruneNoteOf(window, historyKeepDays);
  const ranges = RANGES.map((days) =>
    days === window.days ? `<strong>${days} days</strong>` : `<a href="${CATALOG_REPORT_PATH}?days=${days}">${days} days</a>`,
  ).join(' · ');
  return `<!doctype html>
<html lang="en">
  <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Catalog report · asset-worker</title>
    <link rel="icon" href="data:,">
    <link rel="stylesheet" href="${files.url('catalog-report.css')}">
    <script src="${files.url('chart.umd.js')}" defer></script>
    <script src="${files.url('catalog-report.js')}" defer></script>
  </head>
  <body data-days="${window.days}" data-data-url="${CATALOG_REPORT_PATH}/data?days=${window.days}">
    <nav>
      <a href="${DASHBOARD_PATH}">Queue dashboard</a> · <a href="/admin/report">Catalog summary (JSON)</a>
      · <a href="${CATALOG_REPORT_PATH}/data?days=${window.days}">These figures (JSON)</a>
      <span class="ranges">${ranges}</span>
    </nav>
    <header>
      <h1>Catalog report</h1>
      <p class="range">The last ${window.days} days: ${window.from} to ${window.to} (days in UTC)</p>
      <p class="taken" id="taken">Loading the figures…</p>
    </header>
    <main class="grid">${REPORT_CHARTS.map((chart) => section(chart, pruneNote)).join('')}
    </main>
  </body>
</html>
`;
}
