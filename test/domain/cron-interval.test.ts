import { describe, expect, it } from 'vitest';
import { longestCronGapSeconds } from '../../src/domain/cron-interval.ts';

const HOUR = 3600;
const DAY = 24 * HOUR;
// a Wednesday
const from = new Date('2026-03-04T12:00:00Z');

describe('longestCronGapSeconds', () => {
  it('is the period of a regular pattern', () => {
    expect(longestCronGapSeconds('0 * * * *', { tz: 'UTC', from })).toBe(HOUR);
    expect(longestCronGapSeconds('*/15 * * * *', { tz: 'UTC', from })).toBe(15 * 60);
    expect(longestCronGapSeconds('30 3 * * *', { tz: 'UTC', from })).toBe(DAY);
  });

  it('reads a seconds field', () => {
    expect(longestCronGapSeconds('*/30 * * * * *', { tz: 'UTC', from })).toBe(30);
  });

  it('takes the longest gap, not the usual one: weekdays only leave Friday to Monday', () => {
    expect(longestCronGapSeconds('0 9 * * 1-5', { tz: 'UTC', from })).toBe(3 * DAY);
    // business hours: 17:00 Friday to 09:00 Monday
    expect(longestCronGapSeconds('0 9-17 * * 1-5', { tz: 'UTC', from })).toBe(2 * DAY + 16 * HOUR);
    // uneven minutes: 50 minutes from :10 to the next hour's :00
    expect(longestCronGapSeconds('0,10 * * * *', { tz: 'UTC', from })).toBe(50 * 60);
  });

  it('sees the longest month of a monthly pattern', () => {
    expect(longestCronGapSeconds('0 0 1 * *', { tz: 'UTC', from })).toBe(31 * DAY);
  });

  it('finds a weekend between the minutes of a minutely business-hours pattern', () => {
    // 17:59 Friday to 09:00 Monday
    expect(longestCronGapSeconds('* 9-17 * * 1-5', { tz: 'UTC', from })).toBe(2 * DAY + 15 * HOUR + 60);
  });

  it('sees the long night of a DST change in the schedule time zone', () => {
    // Europe/Berlin falls back on 25 October 2026: that night lasts 25 hours
    const october = new Date('2026-10-01T00:00:00Z');
    expect(longestCronGapSeconds('30 3 * * *', { tz: 'Europe/Berlin', from: october })).toBe(DAY + HOUR);
    expect(longestCronGapSeconds('30 3 * * *', { tz: 'UTC', from: october })).toBe(DAY);
  });

  it('answers its look-ahead (62 days) for a pattern that does not run twice within it', () => {
    expect(longestCronGapSeconds('0 0 29 2 *', { tz: 'UTC', from })).toBe(62 * DAY);
  });
});
