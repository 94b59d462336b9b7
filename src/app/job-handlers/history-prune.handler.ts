import { HISTORY_TABLES, pruneHistory, type PruneResult } from '../../db/history-prune.repository.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';

const DAY_MS = 24 * 3600 * 1000;

/** The instant before which finished history is pruned. */
export function historyCutoff(now: Date, keepDays: number): Date {
  return new Date(now.getTime() - keepDays * DAY_MS);
}

/** e.g. `history pruned (finished before 2026-09-07T04:15:00.000Z): sync_runs 120, sync_pages 0, …` */
export function pruneSummaryLine(cutoff: Date, result: PruneResult): string {
  const counts = HISTORY_TABLES.map((table) => `${table} ${result.deleted[table]}`).join(', ');
  const stopped = result.finished ? '' : '; stopped early by shutdown, the next prune carries on';
  return `history pruned (finished before ${cutoff.toISOString()}): ${counts}${stopped}`;
}

/**
 * Scheduled daily by `start`: deletes finished history older than HISTORY_KEEP_DAYS, in small batches. Stopped by
 * a shutdown it ends between batches and completes: what it left is pruned by the next one.
 */
export function historyPruneHandler(deps: HandlerDeps, options: { clock?: () => Date; batchSize?: number } = {}): JobHandler<'history.prune'> {
  return {
    name: 'history.prune',
    async handle(job) {
      const { context } = deps;
      const cutoff = historyCutoff((options.clock ?? (() => new Date()))(), context.config.historyKeepDays);
      const result = await pruneHistory(context.pool, { cutoff, batchSize: options.batchSize, signal: deps.shutdownSignal });
      context.logger.info(
        { job: job.name, jobId: job.id, keepDays: context.config.historyKeepDays, cutoff: cutoff.toISOString(), deleted: result.deleted, finished: result.finished },
        pruneSummaryLine(cutoff, result),
      );
      return { cutoff: cutoff.toISOString(), ...result };
    },
  };
}
