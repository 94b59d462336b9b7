import { describe, expect, it } from 'vitest';
import { dayEnd, daysToCompute, firstDay, limitEndedDays, nextDay, parseDay, utcDay, type DailyRunRequest } from '../../src/domain/catalog-days.ts';

const request = (overrides: Partial<DailyRunRequest>): DailyRunRequest => ({
  now: new Date('2026-03-05T10:50:00.000Z'),
  lastFinalDay: undefined,
  earliestDay: undefined,
  rebuild: false,
  from: undefined,
  finalDays: new Set(),
  ...overrides,
});
const summary = (input: DailyRunRequest) => daysToCompute(input).map((d) => `${d.day} ${d.final ? 'final' : 'open'} ${d.asOf.toISOString()}`);

describe('UTC days', () => {
  it('takes the UTC date of an instant, whatever the local offset was', () => {
    expect(utcDay(new Date('2026-03-04T23:59:59.999Z'))).toBe('2026-03-04');
    expect(utcDay(new Date('2026-03-05T01:30:00+02:00'))).toBe('2026-03-04');
  });

  it('ends a day at the next midnight UTC, across months, leap days and years', () => {
    expect(dayEnd('2026-03-04').toISOString()).toBe('2026-03-05T00:00:00.000Z');
    expect(nextDay('2028-02-28')).toBe('2028-02-29');
    expect(nextDay('2026-02-28')).toBe('2026-03-01');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('parses only real calendar dates written YYYY-MM-DD', () => {
    expect(parseDay('2026-03-04')).toBe('2026-03-04');
    expect(parseDay(' 2028-02-29 ')).toBe('2028-02-29');
    for (const bad of ['2026-02-30', '2026-13-01', '2026-3-4', '04.03.2026', 'yesterday', '', '2026-03-04T00:00:00Z']) {
      expect(parseDay(bad), bad).toBeUndefined();
    }
  });
});

describe('the days a run computes', () => {
  it('from the first day of the catalog when nothing is final yet: ended days final as of their end, today as of now', () => {
    expect(summary(request({ earliestDay: '2026-03-02' }))).toEqual([
      '2026-03-02 final 2026-03-03T00:00:00.000Z',
      '2026-03-03 final 2026-03-04T00:00:00.000Z',
      '2026-03-04 final 2026-03-05T00:00:00.000Z',
      '2026-03-05 open 2026-03-05T10:50:00.000Z',
    ]);
  });

  it('from the day after the last final day: yesterday, once over, and today', () => {
    expect(summary(request({ earliestDay: '2026-01-01', lastFinalDay: '2026-03-03' }))).toEqual([
      '2026-03-04 final 2026-03-05T00:00:00.000Z',
      '2026-03-05 open 2026-03-05T10:50:00.000Z',
    ]);
    // later the same day: only today, again
    expect(summary(request({ earliestDay: '2026-01-01', lastFinalDay: '2026-03-04' }))).toEqual(['2026-03-05 open 2026-03-05T10:50:00.000Z']);
  });

  it('at midnight exactly, the day just ended is final and the new one open', () => {
    const now = new Date('2026-03-05T00:00:00.000Z');
    expect(summary(request({ now, earliestDay: '2026-01-01', lastFinalDay: '2026-03-03' }))).toEqual([
      '2026-03-04 final 2026-03-05T00:00:00.000Z',
      '2026-03-05 open 2026-03-05T00:00:00.000Z',
    ]);
  });

  it('today alone for an empty catalog', () => {
    expect(summary(request({}))).toEqual(['2026-03-05 open 2026-03-05T10:50:00.000Z']);
  });

  it('rebuilds final days from --from, or from the first day of the catalog', () => {
    const base = { earliestDay: '2026-03-01', lastFinalDay: '2026-03-04', rebuild: true, finalDays: new Set(['2026-03-03', '2026-03-04']) };
    expect(daysToCompute(request({ ...base, from: '2026-03-03' })).map((d) => d.day)).toEqual(['2026-03-03', '2026-03-04', '2026-03-05']);
    expect(daysToCompute(request(base)).map((d) => d.day)).toEqual(['2026-03-01', '2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
  });

  it('without --rebuild, --from keeps the final days and computes the others', () => {
    const input = request({ earliestDay: '2026-03-01', lastFinalDay: '2026-03-04', from: '2026-03-02', finalDays: new Set(['2026-03-03', '2026-03-04']) });
    expect(daysToCompute(input).map((d) => d.day)).toEqual(['2026-03-02', '2026-03-05']);
  });

  it('without --rebuild, a --from later than the default start changes nothing: the days in between are not skipped', () => {
    const input = request({ lastFinalDay: '2026-03-01', from: '2026-03-04' });
    expect(firstDay(input)).toBe('2026-03-02');
    expect(daysToCompute(input).map((d) => d.day)).toEqual(['2026-03-02', '2026-03-03', '2026-03-04', '2026-03-05']);
    // nothing final yet: the first day of the catalog, again
    expect(firstDay(request({ earliestDay: '2026-03-02', from: '2026-03-04' }))).toBe('2026-03-02');
  });

  it("a follow-up carries on from its day, past days that left no row, but never before the table's default start", () => {
    // the days before 03-04 were computed by the run that queued it, and left no final row (no live asset)
    expect(firstDay(request({ earliestDay: '2026-03-01', resumeFrom: '2026-03-04' }))).toBe('2026-03-04');
    expect(firstDay(request({ lastFinalDay: '2026-03-03', resumeFrom: '2026-03-02' }))).toBe('2026-03-04');
  });

  it('never starts before the first day of the catalog, and computes nothing from a day after today', () => {
    expect(firstDay(request({ earliestDay: '2026-03-04', from: '1999-01-01', rebuild: true }))).toBe('2026-03-04');
    expect(firstDay(request({ earliestDay: '2026-03-04', from: '1999-01-01' }))).toBe('2026-03-04');
    expect(daysToCompute(request({ earliestDay: '2026-03-04', from: '2026-03-06', rebuild: true }))).toEqual([]);
  });
});

describe('a run limited to a number of ended days', () => {
  const days = daysToCompute(request({ earliestDay: '2026-03-01' }));

  it('takes the oldest ended days first, today always, and tells where the rest starts', () => {
    const limited = limitEndedDays(days, 2);
    expect(limited.days.map((d) => `${d.day} ${d.final ? 'final' : 'open'}`)).toEqual(['2026-03-01 final', '2026-03-02 final', '2026-03-05 open']);
    expect(limited.leftFrom).toBe('2026-03-03');
  });

  it('leaves nothing when the ended days fit', () => {
    expect(limitEndedDays(days, 4)).toEqual({ days, leftFrom: undefined });
    expect(limitEndedDays(days, Number.POSITIVE_INFINITY)).toEqual({ days, leftFrom: undefined });
  });
});
