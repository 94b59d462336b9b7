import type { JobHandler } from '../../jobs/job-registry.ts';
import { dailyRunSummary, runCatalogDaily } from '../../reporting/catalog-daily.ts';
import type { HandlerDeps } from './handler-deps.ts';

/**
 * Scheduled hourly by `start`: computes the daily figures from the day after the last final day through today
 * (today's replaced by each run until the day is over). Stopped by a shutdown it ends between days and
 * completes: what it left is computed by the next run.
 */
export function catalogDailyHandler(deps: HandlerDeps, options: { clock?: () => Date } = {}): JobHandler<'catalog.daily'> {
  return {
    name: 'catalog.daily',
    async handle(job) {
      const { context } = deps;
      const now = (options.clock ?? (() => new Date()))();
      const result = await runCatalogDaily(context.pool, { now, signal: deps.shutdownSignal });
      context.logger.info(
        { job: job.name, jobId: job.id, days: result.days.map((day) => ({ day: day.day, final: day.final, rows: day.rows, assets: day.assets })), finished: result.finished },
        dailyRunSummary(result),
      );
      return { now: now.toISOString(), days: result.days.map((day) => ({ ...day, asOf: day.asOf.toISOString() })), finished: result.finished };
    },
  };
}
