/**
 * One run of the daily figures, shared by the `catalog.daily` job and `catalog daily`: decides which days to
 * compute (src/domain/catalog-days.ts) from what the table holds, then writes each day in its own transaction.
 */
import type pg from 'pg';
import { daysToCompute, firstDay, limitEndedDays, utcDay } from '../domain/catalog-days.ts';
import { finalDaysFrom, readEarliestDay, readLastFinalDay, replaceDayFigures, type DayWritten } from '../db/catalog-daily.repository.ts';

export interface DailyRunOptions {
  now: Date;
  /** recompute final days too */
  rebuild?: boolean;
  /** the first day asked for (YYYY-MM-DD, checked by the caller); without rebuild it only moves the start earlier */
  from?: string;
  /** the day a follow-up job carries a backfill on from (see DailyRunRequest.resumeFrom) */
  resumeFrom?: string;
  /** at most this many ended days, oldest first (today is computed whatever the limit); default: all of them */
  maxEndedDays?: number;
  /** checked between days: a stop leaves the rest for the next run */
  signal?: AbortSignal;
  /** told once the days are chosen, before the first one is written */
  onPlan?: (days: number) => void;
  /** told after each day is committed */
  onDay?: (day: DayWritten) => void;
}

export interface DailyRunResult {
  days: DayWritten[];
  /** false when the signal stopped it before the last day */
  finished: boolean;
  /** the first ended day left by the limit of days, for a follow-up run; undefined when every day is computed */
  leftFrom: string | undefined;
}

export async function runCatalogDaily(pool: pg.Pool, options: DailyRunOptions): Promise<DailyRunResult> {
  const rebuild = options.rebuild ?? false;
  const lastFinalDay = await readLastFinalDay(pool);
  // the full scan of assets only when the start may depend on it: the hourly run reads it until a day is final
  const needsEarliest = lastFinalDay === undefined || rebuild || options.from !== undefined;
  const earliestDay = needsEarliest ? await readEarliestDay(pool) : undefined;
  const request = { now: options.now, rebuild, from: options.from, resumeFrom: options.resumeFrom, lastFinalDay, earliestDay };
  const start = firstDay(request);
  const finalDays = rebuild || start > utcDay(options.now) ? new Set<string>() : await finalDaysFrom(pool, start);
  const planned = limitEndedDays(daysToCompute({ ...request, finalDays }), options.maxEndedDays ?? Number.POSITIVE_INFINITY);
  options.onPlan?.(planned.days.length);
  const days: DayWritten[] = [];
  for (const day of planned.days) {
    if (options.signal?.aborted === true) return { days, finished: false, leftFrom: planned.leftFrom };
    const written = await replaceDayFigures(pool, day);
    days.push(written);
    options.onDay?.(written);
  }
  return { days, finished: true, leftFrom: planned.leftFrom };
}

/** e.g. `2026-03-04 final: 12 rows, 48210 assets, 1.9 GB` or `2026-03-05 as of 2026-03-05T10:50:00.000Z (…)` */
export function formatDayWritten(day: DayWritten): string {
  const when = day.final ? 'final' : `as of ${day.asOf.toISOString()} (day not over)`;
  return `${day.day} ${when}: ${day.rows} rows, ${day.assets} assets, ${day.bytes} bytes`;
}

/** The run's one log line, e.g. `daily figures: 2 days computed (2026-03-04 final, 2026-03-05 so far)`. */
export function dailyRunSummary(result: DailyRunResult): string {
  const days = result.days.map((day) => `${day.day} ${day.final ? 'final' : 'so far'}`).join(', ');
  const stopped = result.finished ? '' : '; stopped early by shutdown, the next run carries on';
  const left = !result.finished || result.leftFrom === undefined ? '' : `; days from ${result.leftFrom} on are left to the next run`;
  return `daily figures: ${result.days.length} day${result.days.length === 1 ? '' : 's'} computed${days === '' ? '' : ` (${days})`}${stopped}${left}`;
}
