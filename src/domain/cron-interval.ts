/**
 * How long a cron schedule may leave between two runs: the longest gap between consecutive occurrences. An alert
 * on a catalog's age needs it, since "0 * * * *" allows an hour but "0 9 * * 1-5" allows the 72 h from Friday
 * to Monday; the usual gap would call every Monday morning stale.
 *
 * cron-parser takes about a millisecond per occurrence (several under load or in a DST zone), so walking every
 * occurrence of a minutely pattern for a week (10,080 of them) would hold up the boot for seconds. Instead:
 * - the first occurrences are walked one by one, for an hour or 150 occurrences: a pattern whose longest gap is
 *   under an hour runs every hour, so its gaps repeat each hour (or minute);
 * - then probes every hour for a week, and every day up to two months, each taking the gap it falls in (the next
 *   occurrence after the probe and the one before that). A gap at least as long as a probe step always holds a
 *   probe, so every gap of an hour or more within the week (nights, weekends) and of a day or more within two
 *   months (a month's end) is measured exactly: about 300 look-ups for an hourly pattern, 50 to 70 for a daily one.
 * What it cannot see: a gap only found further ahead (a leap day, a DST change more than two months off, which
 * lengthens a daily gap by an hour).
 */
import cronParser from 'cron-parser';

export interface CronGapOptions {
  /** IANA time zone the pattern is read in (SCHEDULE_TZ) */
  tz: string;
  /** where the look-ahead starts */
  from: Date;
}

const HOUR_MS = 3600 * 1000;
const DAY_MS = 24 * HOUR_MS;
/** occurrences walked one by one, at most: more than an hour of a minutely (or half-minutely) pattern */
const WALKED_OCCURRENCES = 150;
const WALKED_SPAN_MS = HOUR_MS;
/** each probe range starts where the one before ended */
const PROBES = [
  { stepMs: HOUR_MS, fromMs: 0, toMs: 8 * DAY_MS },
  { stepMs: DAY_MS, fromMs: 8 * DAY_MS, toMs: 62 * DAY_MS },
] as const;

/**
 * The longest gap, in whole seconds, between consecutive occurrences of `pattern` from `from` on, as far as this
 * module looks ahead (see above). A pattern that does not run twice within about two months (29 February) yields
 * the look-ahead itself: at least that long between runs.
 */
export function longestCronGapSeconds(pattern: string, options: CronGapOptions): number {
  const start = options.from.getTime();
  const forward = cronParser.parseExpression(pattern, { currentDate: options.from, tz: options.tz });
  const backward = cronParser.parseExpression(pattern, { currentDate: options.from, tz: options.tz });
  const lookAheadMs = Math.max(...PROBES.map((probe) => probe.toMs));
  const end = start + lookAheadMs;
  /** the next occurrence strictly after `at`, or undefined past the look-ahead */
  const nextAfter = (at: number): number | undefined => {
    forward.reset(new Date(at));
    const next = forward.next().getTime();
    return next > end + lookAheadMs ? undefined : next;
  };
  const previousBefore = (at: number): number => {
    backward.reset(new Date(at));
    return backward.prev().getTime();
  };

  let longestMs = 0;
  const first = nextAfter(start - 1);
  let previous = first;
  for (let walked = 1; previous !== undefined && first !== undefined && walked < WALKED_OCCURRENCES && previous - first <= WALKED_SPAN_MS; walked++) {
    const next = nextAfter(previous);
    if (next !== undefined) longestMs = Math.max(longestMs, next - previous);
    previous = next;
  }
  for (const { stepMs, fromMs, toMs } of PROBES) {
    let lastNext: number | undefined;
    for (let probe = start + fromMs; probe < start + toMs; ) {
      const next = nextAfter(probe);
      if (next === undefined) break;
      // the gap ending at `next` starts at or after the last probe's `next`: only a possibly longer one is measured
      if (lastNext === undefined || next - lastNext > longestMs) longestMs = Math.max(longestMs, next - previousBefore(next));
      lastNext = next;
      // every probe before `next` would fall in the gap just measured
      probe = Math.max(probe + stepMs, next);
    }
  }
  return Math.round((longestMs === 0 ? lookAheadMs : longestMs) / 1000);
}
