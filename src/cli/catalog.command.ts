import type { Command } from 'commander';
import { registerCatalogDailyCommand } from './catalog-daily.command.ts';
import { registerCatalogExportCommand } from './catalog-export.command.ts';

/** `catalog export` and `catalog daily`: the catalog as a reporting product. */
export function registerCatalogCommand(program: Command): void {
  const catalog = program.command('catalog').description('the catalog for reporting: export it, record its daily figures');
  registerCatalogExportCommand(catalog);
  registerCatalogDailyCommand(catalog);
}
