/**
 * `asset-worker <command>`: see CONTRACT.md. Each command lives in its own file.
 */
import { Command, CommanderError } from 'commander';
import { registerMigrateCommand } from './migrate.command.ts';
import { EXIT_OK, EXIT_USAGE } from './runtime.ts';
import { registerSyncCommand } from './sync.command.ts';

const program = new Command('asset-worker')
  .description('Keeps Affogato, Media Pocket and Roughy asset accounts in order: catalog, retention, DAG runs, bulk operations.')
  .showHelpAfterError('(add --help for usage)')
  .exitOverride();

registerMigrateCommand(program);
registerSyncCommand(program);

for (const command of program.commands) command.exitOverride();

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    const isHelp = error.code === 'commander.helpDisplayed' || error.code === 'commander.help' || error.code === 'commander.version';
    process.exit(isHelp ? EXIT_OK : EXIT_USAGE);
  }
  throw error;
}
