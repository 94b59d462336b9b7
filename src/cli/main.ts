/**
 * `asset-worker <command>`: see CONTRACT.md. Each command lives in its own file.
 */
import { Command, CommanderError } from 'commander';
import { joinAll } from '../domain/provider-facts.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';
import { registerBulkCommand } from './bulk.command.ts';
import { registerCatalogCommand } from './catalog.command.ts';
import { registerDagCommand } from './dag.command.ts';
import { registerDemoCommand } from './demo.command.ts';
import { registerMigrateCommand } from './migrate.command.ts';
import { registerReportCommand } from './report.command.ts';
import { registerRetentionCommand } from './retention.command.ts';
import { EXIT_OK, EXIT_USAGE } from './runtime.ts';
import { registerStartCommand } from './start.command.ts';
import { registerSyncCommand } from './sync.command.ts';

const program = new Command('asset-worker')
  .description(
    `Keeps ${joinAll(builtinProviderRegistry.definitions.map((d) => d.displayName))} asset accounts in order: catalog, retention, DAG runs, bulk operations.`,
  )
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerMigrateCommand(program);
registerSyncCommand(program);
registerDagCommand(program);
registerBulkCommand(program);
registerStartCommand(program);
registerReportCommand(program);
registerCatalogCommand(program);
registerRetentionCommand(program);
registerDemoCommand(program);

for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // --help and --version end with exitCode 0; help shown because a subcommand is missing ends with 1: a usage error
    const askedFor = ['commander.helpDisplayed', 'commander.help', 'commander.version'].includes(error.code) && error.exitCode === 0;
    process.exit(askedFor ? EXIT_OK : EXIT_USAGE);
  }
  throw error;
}
