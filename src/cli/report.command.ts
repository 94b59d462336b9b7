import type { Command } from 'commander';
import { buildCatalogReport } from '../db/catalog-report.repository.ts';
import { createDb, createPool } from '../db/client.ts';
import { formatCatalogReport } from '../reporting/catalog-report.format.ts';
import { runBare } from './runtime.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';

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
