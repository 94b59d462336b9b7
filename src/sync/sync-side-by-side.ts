/**
 * One full sync of each given provider, side by side, each with its own progress line. Providers are settled
 * independently: one being rate-limited or down does not hold up the others.
 */
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import type pg from 'pg';
import type { Logger } from '../logger.ts';
import type { ProviderHandle } from '../providers/provider-factory.ts';
import { syncProvider, type SyncSummary } from './sync-runner.ts';
import { createProgressDisplay } from '../util/progress-display.ts';

/** What the syncs need of the process (the app context is one). */
export interface SideBySideContext {
  readonly pool: pg.Pool;
  readonly logger: Logger;
  readonly notifications?: NotificationOutbox | undefined;
}

export interface SyncDisplay {
  interactive: boolean;
  write: (line: string) => void;
  signal: AbortSignal;
}

export async function syncSideBySide(
  context: SideBySideContext,
  handles: readonly ProviderHandle[],
  display: SyncDisplay,
): Promise<Array<PromiseSettledResult<SyncSummary>>> {
  const progress = createProgressDisplay(display.interactive, display.write);
  try {
    return await Promise.allSettled(
      handles.map(async (handle) => {
        const task = progress.task(handle.provider.name);
        const summary = await syncProvider(
          {
            pool: context.pool,
            logger: context.logger,
            signal: display.signal,
            notifications: context.notifications,
            onProgress: (p) => task.update(p.seen, p.total, `${p.pages} pages, ${p.phase}`),
          },
          handle.provider,
        );
        task.finish(summary.state);
        return summary;
      }),
    );
  } finally {
    progress.stop();
  }
}
