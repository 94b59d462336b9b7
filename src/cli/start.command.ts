import type { Command } from 'commander';
import { migrateDatabase } from '../db/migrate.ts';
import { runWorker } from '../app/run-worker.ts';
import { runWithContext } from './runtime.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description(
      'the long-running worker: applies pending migrations (one replica at a time), then runs schedules, queue workers and the admin server until SIGTERM/SIGINT (then a graceful stop)',
    )
    .action(() =>
      runWithContext(async (context, io) => {
        // replicas booting together: the first applies the migrations under the lock, the others wait, then find none
        const migrated = await migrateDatabase(context.config.databaseUrl, () =>
          io.out('waiting for another process to finish applying migrations'),
        );
        io.out(`database ${migrated.createdDatabase ? 'created' : 'exists'}; migrations applied by this process: ${migrated.applied}`);
        const worker = await runWorker(context, { signal: io.signal, announce: io.out });
        await worker.stopped;
      }),
    );
}
