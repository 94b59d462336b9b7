import { describe, expect, it } from 'vitest';
import { fullJitterDelay, parseRetryAfter } from '../../src/domain/backoff.ts';

describe('fullJitterDelay', () => {
  const options = { baseMs: 100, capMs: 1_000 };

  it('spans 0 up to base * 2^(attempt-1)', () => {
    expect(fullJitterDelay(1, options, () => 0)).toBe(0);
    expect(fullJitterDelay(1, options, () => 0.999999)).toBe(99);
    expect(fullJitterDelay(3, options, () => 0.5)).toBe(200);
  });

  it('never exceeds the cap however many attempts', () => {
    expect(fullJitterDelay(30, options, () => 0.999999)).toBe(999);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');

  it('reads delta-seconds, including fractions', () => {
    expect(parseRetryAfter('3', now)).toBe(3_000);
    expect(parseRetryAfter(' 1.5 ', now)).toBe(1_500);
  });

  it('reads an HTTP date relative to now, never negative', () => {
    expect(parseRetryAfter('Thu, 01 Jan 2026 00:00:05 GMT', now)).toBe(5_000);
    expect(parseRetryAfter('Wed, 31 Dec 2025 23:59:00 GMT', now)).toBe(0);
  });

  it('is undefined when absent or unreadable', () => {
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
    expect(parseRetryAfter('', now)).toBeUndefined();
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });
});
