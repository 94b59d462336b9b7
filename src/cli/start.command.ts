import type { Command } from 'commander';
import { runWorker } from '../main.ts';
import { runWithContext } from './runtime.ts';

export function registerStartCommand(program: Command): void {
  program
    .command('start')
    .description('the long-running worker: schedules, queue workers and the admin server, until SIGTERM/SIGINT (then a graceful stop)')
    .action(() =>
      runWithContext(async (context, io) => {
        const worker = await runWorker(context, { signal: io.signal, announce: io.out });
        await worker.stopped;
      }),
    );
}
