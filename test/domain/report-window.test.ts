import { describe, expect, it } from 'vitest';
import { DEFAULT_REPORT_DAYS, MAX_REPORT_DAYS, historyKeptFrom, parseReportDays, reportWindow } from '../../src/domain/report-window.ts';

describe('parseReportDays', () => {
  it('defaults when absent and takes whole numbers from 1 to the maximum', () => {
    expect(parseReportDays(undefined)).toBe(DEFAULT_REPORT_DAYS);
    expect(parseReportDays('')).toBe(DEFAULT_REPORT_DAYS);
    expect(parseReportDays('1')).toBe(1);
    expect(parseReportDays('030')).toBe(30);
    expect(parseReportDays(String(MAX_REPORT_DAYS))).toBe(MAX_REPORT_DAYS);
  });

  it('refuses anything else', () => {
    for (const value of ['0', String(MAX_REPORT_DAYS + 1), '-3', '2.5', '1e2', 'ninety', ' 7', '99999', ['7']]) {
      expect(parseReportDays(value), String(value)).toBeUndefined();
    }
  });
});

describe('reportWindow', () => {
  it('ends with today in UTC, whatever the hour, and lists every day oldest first', () => {
    const window = reportWindow(3, new Date('2026-03-01T23:59:59.999Z'));
    expect(window).toEqual({
      days: 3,
      from: '2026-02-27',
      to: '2026-03-01',
      since: new Date('2026-02-27T00:00:00Z'),
      until: new Date('2026-03-02T00:00:00Z'),
      dayList: ['2026-02-27', '2026-02-28', '2026-03-01'],
    });
    expect(reportWindow(1, new Date('2026-03-02T00:00:00Z')).dayList).toEqual(['2026-03-02']);
  });

  it('spans exactly `days` days across a leap day', () => {
    const window = reportWindow(366, new Date('2028-12-31T12:00:00Z'));
    expect(window.dayList).toHaveLength(366);
    expect(window.from).toBe('2028-01-01');
    expect(window.dayList).toContain('2028-02-29');
  });
});

describe('historyKeptFrom', () => {
  const window = reportWindow(180, new Date('2026-03-01T10:00:00Z'));

  it('names the first day pruning leaves whole when the window reaches further back than history is kept', () => {
    // 90 days kept on 2026-03-01: pruning removes what ended before some instant of 2025-12-01
    expect(historyKeptFrom(window, 90)).toBe('2025-12-02');
    expect(historyKeptFrom(window, 1)).toBe('2026-03-01');
    expect(historyKeptFrom(reportWindow(91, new Date('2026-03-01T10:00:00Z')), 90)).toBe('2025-12-02');
  });

  it('says nothing when history covers the whole window', () => {
    expect(historyKeptFrom(window, 180)).toBeUndefined();
    expect(historyKeptFrom(reportWindow(90, new Date('2026-03-01T10:00:00Z')), 90)).toBeUndefined();
  });
});
