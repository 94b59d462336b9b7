import type { Command } from 'commander';

export function registerCatalogDailyCommand(_catalog: Command): void {
  // PLACEHOLDER: `catalog daily`
}
