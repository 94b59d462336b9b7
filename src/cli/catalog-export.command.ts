import type { Command } from 'commander';

export function registerCatalogExportCommand(_catalog: Command): void {
  // PLACEHOLDER: `catalog export`
}
