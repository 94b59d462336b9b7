/**
 * One run of the daily figures, shared by the `catalog.daily` job and `catalog daily`: decides which days to
 * compute (src/domain/catalog-days.ts) from what the table holds, then writes each day in its own transaction.
 */
import type pg from 'pg';
import { daysToCompute, firstDay, utcDay } from '../domain/catalog-days.ts';
import { finalDaysFrom, readDailyFiguresState, replaceDayFigures, type DayWritten } from '../db/catalog-daily.repository.ts';

export interface DailyRunOptions {
  now: Date;
  /** recompute final days too */
  rebuild?: boolean;
  /** the first day to compute (YYYY-MM-DD, checked by the caller) */
  from?: string;
  /** checked between days: a stop leaves the rest for the next run */
  signal?: AbortSignal;
  /** told after each day is committed */
  onDay?: (day: DayWritten) => void;
}

export interface DailyRunResult {
  days: DayWritten[];
  /** false when the signal stopped it before the last day */
  finished: boolean;
}

export async function runCatalogDaily(pool: pg.Pool, options: DailyRunOptions): Promise<DailyRunResult> {
  const rebuild = options.rebuild ?? false;
  const state = await readDailyFiguresState(pool);
  const request = { now: options.now, rebuild, from: options.from, ...state };
  const start = firstDay(request);
  const finalDays = rebuild || start > utcDay(options.now) ? new Set<string>() : await finalDaysFrom(pool, start);
  const days: DayWritten[] = [];
  for (const day of daysToCompute({ ...request, finalDays })) {
    if (options.signal?.aborted === true) return { days, finished: false };
    const written = await replaceDayFigures(pool, day);
    days.push(written);
    options.onDay?.(written);
  }
  return { days, finished: true };
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
  return `daily figures: ${result.days.length} day${result.days.length === 1 ? '' : 's'} computed${days === '' ? '' : ` (${days})`}${stopped}`;
}
