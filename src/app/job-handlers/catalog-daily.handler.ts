import { catalogDailyFollowUpJobId, ensureCatalogDailyFollowUp } from '../../jobs/catalog-daily-jobs.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import { dailyRunSummary, runCatalogDaily } from '../../reporting/catalog-daily.ts';
import type { HandlerDeps } from './handler-deps.ts';

/**
 * Ended days one run computes at most (a month). A day rebuilt from history is one scan of assets (about 0.25 s
 * at 300,000 assets), so a first backfill of a year at a million assets would hold the one-at-a-time retention
 * queue for minutes; in slices of 31 days a waiting retention apply runs between two of them.
 */
export const CATALOG_DAILY_DAYS_PER_RUN = 31;

/**
 * Scheduled hourly by `start`: computes the daily figures from the day after the last final day through today
 * (today's replaced by each run until the day is over), at most `maxEndedDays` ended days oldest first plus today;
 * when days are left it queues the next slice at once (one job id per slice). Stopped by a shutdown it ends
 * between days and completes: what it left is computed by the next run.
 */
export function catalogDailyHandler(
  deps: HandlerDeps,
  options: { clock?: () => Date; maxEndedDays?: number } = {},
): JobHandler<'catalog.daily'> {
  return {
    name: 'catalog.daily',
    async handle(job) {
      const { context } = deps;
      const now = (options.clock ?? (() => new Date()))();
      const result = await runCatalogDaily(context.pool, {
        now,
        resumeFrom: job.data.resumeFrom,
        maxEndedDays: options.maxEndedDays ?? CATALOG_DAILY_DAYS_PER_RUN,
        signal: deps.shutdownSignal,
      });
      // after a shutdown the next scheduled run carries on; otherwise the rest of the backfill goes right behind
      const resumeFrom = result.finished ? result.leftFrom : undefined;
      if (resumeFrom !== undefined) await ensureCatalogDailyFollowUp(deps.queues, resumeFrom);
      const followUp = resumeFrom === undefined ? null : catalogDailyFollowUpJobId(resumeFrom);
      context.logger.info(
        {
          job: job.name,
          jobId: job.id,
          days: result.days.map((day) => ({ day: day.day, final: day.final, rows: day.rows, assets: day.assets })),
          finished: result.finished,
          followUp,
        },
        dailyRunSummary(result),
      );
      return { now: now.toISOString(), days: result.days.map((day) => ({ ...day, asOf: day.asOf.toISOString() })), finished: result.finished, followUp };
    },
  };
}
