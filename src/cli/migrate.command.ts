import type { Command } from 'commander';
import { redactUrl } from '../config.ts';
import { migrateDatabase } from '../db/migrate.ts';
import { runBare } from './runtime.ts';

export function registerMigrateCommand(program: Command): void {
  program
    .command('migrate')
    .description('create the database named by DATABASE_URL if missing, then apply pending migrations (idempotent)')
    .action(() =>
      runBare(async (config, _logger, io) => {
        const result = await migrateDatabase(config.databaseUrl);
        io.out(`${result.createdDatabase ? 'created database' : 'database exists'}: ${redactUrl(config.databaseUrl)}`);
        io.out('migrations applied');
      }),
    );
}
