import { describe, expect, it } from 'vitest';
import { isSharpShrink, judgeCompleteness, spreadSample } from '../../src/domain/listing-checks.ts';

describe('judgeCompleteness', () => {
  it('trusts a listing that showed at least as many distinct ids as it reported', () => {
    expect(judgeCompleteness({ distinctSeen: 100, reportedTotal: 100, pass: 1, maxPasses: 3 })).toEqual({ verdict: 'complete' });
    expect(judgeCompleteness({ distinctSeen: 101, reportedTotal: 100, pass: 1, maxPasses: 3 })).toEqual({ verdict: 'complete' });
  });

  it('trusts a listing without a total (cursor listings end on their own)', () => {
    expect(judgeCompleteness({ distinctSeen: 0, reportedTotal: undefined, pass: 1, maxPasses: 3 })).toEqual({ verdict: 'complete' });
  });

  it('pages again when assets were added behind us, then accepts the listing and notes the shortfall', () => {
    expect(judgeCompleteness({ distinctSeen: 98, reportedTotal: 100, pass: 1, maxPasses: 2 })).toEqual({ verdict: 'another-pass' });
    const last = judgeCompleteness({ distinctSeen: 98, reportedTotal: 100, pass: 2, maxPasses: 2 });
    expect(last.verdict).toBe('complete');
    expect(last.verdict === 'complete' && last.shortfall).toContain('reported 100 assets but 98 distinct');
  });
});

describe('isSharpShrink', () => {
  it('lets a few missing assets through to one-by-one confirmation', () => {
    expect(isSharpShrink({ liveUntrashed: 30, missingUntrashed: 20 })).toBe(false);
    expect(isSharpShrink({ liveUntrashed: 5_000, missingUntrashed: 250 })).toBe(false);
  });

  it('flags an empty or halved listing of a real catalog', () => {
    expect(isSharpShrink({ liveUntrashed: 5_000, missingUntrashed: 5_000 })).toBe(true);
    expect(isSharpShrink({ liveUntrashed: 100, missingUntrashed: 51 })).toBe(true);
  });
});

describe('spreadSample', () => {
  it('returns everything when there are fewer items than the sample size', () => {
    expect(spreadSample([1, 2, 3], 10)).toEqual([1, 2, 3]);
  });

  it('spreads the sample over the whole list, deterministically', () => {
    const items = Array.from({ length: 100 }, (_, i) => i);
    expect(spreadSample(items, 4)).toEqual([0, 25, 50, 75]);
  });
});
