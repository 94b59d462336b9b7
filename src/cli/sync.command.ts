import type { Command } from 'commander';
import type { SyncSummary } from '../sync/sync-runner.ts';
import { syncSideBySide } from '../sync/sync-side-by-side.ts';
import { describeFailure, EXIT_FAILED, EXIT_OK, requireProviders, runWithContext } from './runtime.ts';
import { formatTable } from '../util/text-table.ts';

export const collect = (value: string, previous: string[]) => [...previous, value];

export function registerSyncCommand(program: Command): void {
  program
    .command('sync')
    .description('one full sync of every enabled provider (or those named), waiting until it ends')
    .option('--provider <name>', 'sync only this provider (repeat for several)', collect, [])
    .action((options: { provider: string[] }) =>
      runWithContext(async (context, io) => {
        const handles = requireProviders(context, options.provider);
        const results = await syncSideBySide(context, handles, { interactive: io.interactive, write: io.err, signal: io.signal });
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
