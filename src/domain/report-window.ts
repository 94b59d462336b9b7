/**
 * The time range of the catalog report page: the last N days in UTC, today included. Days are UTC so that every
 * replica and every viewer sees the same buckets, whatever its own time zone.
 */
import { addDays, dayEnd, dayStart, utcDay } from './catalog-days.ts';

export const DEFAULT_REPORT_DAYS = 90;
/** a year and a day: enough for a yearly look back, small enough that one request stays cheap */
export const MAX_REPORT_DAYS = 366;

export interface ReportWindow {
  days: number;
  /** the first day, YYYY-MM-DD */
  from: string;
  /** the last day (today in UTC), YYYY-MM-DD */
  to: string;
  /** the start of the first day */
  since: Date;
  /** the start of the day after the last: figures are taken before it */
  until: Date;
  /** every day from `from` to `to`, oldest first: the charts' horizontal axis */
  dayList: string[];
}

/** `?days=`: absent means the default; a whole number from 1 to MAX_REPORT_DAYS, else undefined (a bad request). */
export function parseReportDays(value: unknown): number | undefined {
  if (value === undefined || value === '') return DEFAULT_REPORT_DAYS;
  if (typeof value !== 'string' || !/^\d{1,4}$/.test(value)) return undefined;
  const days = Number(value);
  return days >= 1 && days <= MAX_REPORT_DAYS ? days : undefined;
}

export function reportWindow(days: number, now: Date): ReportWindow {
  const to = utcDay(now);
  const from = addDays(to, 1 - days);
  const dayList = Array.from({ length: days }, (_, i) => addDays(from, i));
  return { days, from, to, since: dayStart(from), until: dayEnd(to), dayList };
}

/**
 * The first day of the window whose history (sync runs, retention actions, DAG runs) pruning has left whole, when
 * the window reaches back further than HISTORY_KEEP_DAYS = `keepDays`; undefined when it does not. Pruning deletes
 * what ended more than `keepDays` days before it ran, so the day `keepDays` days back is already partly gone.
 */
export function historyKeptFrom(window: ReportWindow, keepDays: number): string | undefined {
  if (window.days <= keepDays) return undefined;
  return window.dayList[window.days - keepDays];
}
