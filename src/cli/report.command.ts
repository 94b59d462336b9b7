import type { Command } from 'commander';
import { buildCatalogReport, type CatalogReport, type ProviderReport } from '../db/catalog-report.repository.ts';
import { createDb, createPool } from '../db/client.ts';
import { runBare } from './runtime.ts';
import { formatTable } from '../util/text-table.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';

/** "45s", "12m", "3h 20m", "2d 4h": how long ago, at a glance. */
export function formatAge(seconds: number): string {
  if (seconds < 60) return `${seconds}s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes}m`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours}h ${minutes % 60}m`;
  return `${Math.floor(hours / 24)}d ${hours % 24}h`;
}

function lastSyncCell(report: ProviderReport): string {
  const sync = report.lastCompleteSync;
  if (sync === null || sync.finishedAt === null) return 'never';
  return `${sync.finishedAt.replace(/\.\d+Z$/, 'Z')} (${formatAge(sync.ageSeconds)} ago)`;
}

function lastListingCell(report: ProviderReport): string {
  const last = report.lastFinishedSync;
  if (last === null) return '-';
  return last.partial ? `partial: ${last.partialReason ?? 'not trusted'}` : 'complete';
}

function countsLine(counts: Record<string, number>): string {
  const entries = Object.entries(counts);
  return entries.length === 0 ? '-' : entries.map(([key, n]) => `${key} ${n}`).join(', ');
}

export function formatCatalogReport(report: CatalogReport): string {
  const summary = formatTable(
    ['provider', 'live', 'removed', 'trashed', 'quarantined', 'last complete sync', 'last listing', 'open run'],
    report.providers.map((p) => [
      p.provider,
      p.live,
      p.removed,
      p.trashed,
      p.quarantined,
      lastSyncCell(p),
      lastListingCell(p),
      p.openSync === null ? '-' : `#${p.openSync.runId} (${p.openSync.pages} pages so far)`,
    ]),
  );
  const details = report.providers
    .filter((p) => p.total > 0)
    .map((p) => `${p.provider}\n  by status: ${countsLine(p.byStatus)}\n  by kind:   ${countsLine(p.byKind)}`);
  return [summary, ...(details.length > 0 ? ['', ...details] : [])].join('\n');
}

export function registerReportCommand(program: Command): void {
  program
    .command('report')
    .description('catalog summary per provider: counts by status and kind, removed, trashed, quarantined, last complete sync')
    .option('--json', 'print the summary as JSON (stable keys and order)')
    .action((options: { json?: boolean }) =>
      // the catalog alone: a report works whether or not Redis or the providers answer
      runBare(async (config, _logger, io) => {
        const pool = createPool(config.databaseUrl, 2);
        try {
          const report = await buildCatalogReport(createDb(pool), builtinProviderRegistry.names);
          io.out(options.json === true ? JSON.stringify(report, null, 2) : formatCatalogReport(report));
        } finally {
          await pool.end();
        }
      }),
    );
}
