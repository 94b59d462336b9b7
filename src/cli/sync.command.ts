import type { Command } from 'commander';
import { syncProvider, type SyncSummary } from '../sync/sync-runner.ts';
import { createProgressDisplay } from './progress.ts';
import { describeFailure, EXIT_FAILED, EXIT_OK, runWithContext } from './runtime.ts';
import { formatTable } from './table.ts';

export const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('one full sync of every enabled provider (or those named), waiting until it ends')
    .option('--provider <name>', 'sync only this provider (repeat for several)', collect, [])
    .action((options: { provider: string[] }) =>
      runWithContext(async (context, io) => {
        const handles = context.selectProviders(options.provider);
        if (handles.length === 0) {
          io.err('No provider is enabled: set AFFOGATO_API_KEY, MEDIAPOCKET_API_KEY (+ MEDIAPOCKET_BASE_URL) or ROUGHY_API_KEY.');
          return EXIT_FAILED;
        }
        const display = createProgressDisplay(io.interactive, io.err);
        // providers run side by side: one being rate-limited or down does not hold up the others
        const results = await Promise.allSettled(
          handles.map(async (handle) => {
            const task = display.task(handle.provider.name);
            const summary = await syncProvider(
              {
                pool: context.pool,
                logger: context.logger,
                signal: io.signal,
                onProgress: (p) => task.update(p.seen, p.total, `${p.pages} pages, ${p.phase}`),
              },
              handle.provider,
            );
            task.finish(summary.state);
            return summary;
          }),
        );
        display.stop();
        const rows = results.map((result, i) => {
          const name = handles[i]?.provider.name ?? '?';
          if (result.status === 'rejected') return [name, 'failed', null, null, null, null, null, null, null];
          const s: SyncSummary = result.value;
          return [name, s.joined ? `${s.state} (joined)` : s.state, s.pages, s.seen, s.inserted, s.updated, s.removed, s.trashed, s.quarantined];
        });
        io.out(formatTable(['provider', 'result', 'pages', 'seen', 'inserted', 'updated', 'removed', 'trashed', 'quarantined'], rows));
        let failed = false;
        results.forEach((result, i) => {
          const name = handles[i]?.provider.name ?? '?';
          if (result.status === 'rejected') {
            failed = true;
            io.err(`${name}: ${describeFailure(result.reason)}`);
          } else if (result.value.partialReason !== null) {
            io.err(`${name}: listing not trusted, nothing marked removed: ${result.value.partialReason}`);
          }
        });
        return failed ? EXIT_FAILED : EXIT_OK;
      }),
    );
}
