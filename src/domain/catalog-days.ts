/**
 * Which days a run of the daily figures computes, and the instant each one describes. A day is a UTC date
 * (`YYYY-MM-DD`); its end is the next midnight UTC, exclusive: an event stamped exactly at midnight belongs to
 * the day that starts then. Pure: the clock and what the table already holds are the caller's.
 */

const DAY_MS = 24 * 3600 * 1000;
const DAY_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;

/** The UTC date of an instant. */
export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

/** Midnight UTC at the start of `day`. */
export function dayStart(day: string): Date {
  return new Date(`${day}T00:00:00.000Z`);
}

/** Midnight UTC at the end of `day` (the start of the next one). */
export function dayEnd(day: string): Date {
  return new Date(dayStart(day).getTime() + DAY_MS);
}

/** The day `count` days after `day` (before it, for a negative count). */
export function addDays(day: string, count: number): string {
  return utcDay(new Date(dayStart(day).getTime() + count * DAY_MS));
}

export function nextDay(day: string): string {
  return addDays(day, 1);
}

/** A calendar date written `YYYY-MM-DD`, or undefined for anything else (2026-02-30 included). */
export function parseDay(text: string): string | undefined {
  const match = DAY_PATTERN.exec(text.trim());
  if (match === null) return undefined;
  const day = `${match[1]}-${match[2]}-${match[3]}`;
  const start = dayStart(day);
  return Number.isNaN(start.getTime()) || utcDay(start) !== day ? undefined : day;
}

export interface DayToCompute {
  day: string;
  /** the day has ended: its figures describe its end and are kept until a rebuild */
  final: boolean;
  /** the instant the figures describe: the day's end when final, else the moment they are taken (now) */
  asOf: Date;
}

export interface DailyRunRequest {
  now: Date;
  /** the latest day whose figures are final, if any */
  lastFinalDay: string | undefined;
  /**
   * the UTC date of the catalog's first asset (min first_seen_at): undefined for an empty catalog, and when the
   * caller did not read it because the default start does not need it (some day is final, no rebuild, no `from`)
   */
  earliestDay: string | undefined;
  /** recompute final days too */
  rebuild: boolean;
  /** the first day asked for (already checked by parseDay): see firstDay */
  from: string | undefined;
  /**
   * the day a backfill carries on from: set by the follow-up job of a run that stopped at its limit of days, which
   * computed every day before it (days with no live asset leave no row, so the table alone cannot say so)
   */
  resumeFrom?: string | undefined;
  /** days already final from the first day on: skipped unless rebuilding */
  finalDays: ReadonlySet<string>;
}

/**
 * The first day a run computes. By default: the day after the last final day, or the earliest day the catalog
 * covers when none is final yet (today when the catalog is empty); a follow-up's `resumeFrom` moves it later.
 * With `rebuild`, `from` (default: the catalog's first day) is where the recomputing starts. Without it, `from` can
 * only move the start earlier, never later: a later start would skip the days in between for good, since the
 * next run starts after the latest final day. Days before the catalog's first asset hold nothing, so a start
 * before it is moved up to it.
 */
export function firstDay(request: Omit<DailyRunRequest, 'finalDays'>): string {
  const today = utcDay(request.now);
  let start: string;
  if (request.rebuild) start = request.from ?? request.earliestDay ?? today;
  else {
    start = request.lastFinalDay === undefined ? (request.earliestDay ?? today) : nextDay(request.lastFinalDay);
    if (request.resumeFrom !== undefined && request.resumeFrom > start) start = request.resumeFrom;
    if (request.from !== undefined && request.from < start) start = request.from;
  }
  if (request.earliestDay !== undefined && start < request.earliestDay) start = request.earliestDay;
  return start;
}

/**
 * Every day from `firstDay` through today, in order, but for final days when not rebuilding. A day that has ended
 * by `now` is computed final, as of its end; today, as of now. Empty when the first day is after today.
 */
export function daysToCompute(request: DailyRunRequest): DayToCompute[] {
  const today = utcDay(request.now);
  const days: DayToCompute[] = [];
  for (let day = firstDay(request); day <= today; day = nextDay(day)) {
    if (!request.rebuild && request.finalDays.has(day)) continue;
    const end = dayEnd(day);
    const final = end.getTime() <= request.now.getTime();
    days.push({ day, final, asOf: final ? end : request.now });
  }
  return days;
}

export interface LimitedDays {
  /** the oldest `maxEndedDays` ended days, then today */
  days: DayToCompute[];
  /** the first ended day left for a later run, if any */
  leftFrom: string | undefined;
}

/**
 * At most `maxEndedDays` of the ended days, oldest first, and today always: a long backfill goes in slices, and
 * today's figures are refreshed by every run meanwhile (one read of the live catalog, cheap beside a day rebuilt
 * from history).
 */
export function limitEndedDays(days: readonly DayToCompute[], maxEndedDays: number): LimitedDays {
  const ended = days.filter((day) => day.final);
  const open = days.filter((day) => !day.final);
  return { days: [...ended.slice(0, maxEndedDays), ...open], leftFrom: ended[maxEndedDays]?.day };
}
