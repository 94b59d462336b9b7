import { describe, expect, it } from 'vitest';
import { checkApplyGuards, fractionCap, type GuardInput } from '../../src/domain/retention-guards.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

const base: GuardInput = {
  planned: 10,
  liveAssets: 1_000,
  lastSync: { state: 'complete', finishedAt: minutesAgo(30), partialReason: null },
  safety: { maxActionsPerRun: 100, maxCatalogFraction: 0.1, maxSyncAgeMinutes: 1440, protectedTags: [] },
  now: NOW,
};

describe('checkApplyGuards', () => {
  it('lets a fresh, complete catalog and a plan within the caps through', () => {
    expect(checkApplyGuards(base)).toEqual({ ok: true });
    expect(checkApplyGuards({ ...base, planned: 100 })).toEqual({ ok: true });
  });

  it('refuses a catalog that was never synced', () => {
    expect(checkApplyGuards({ ...base, lastSync: undefined })).toMatchObject({ ok: false, limit: 'never_synced' });
  });

  it('refuses when the last listing was partial, even with a fresh complete one before it', () => {
    const verdict = checkApplyGuards({ ...base, lastSync: { state: 'partial', finishedAt: minutesAgo(1), partialReason: 'page 7 failed' } });
    expect(verdict).toMatchObject({ ok: false, limit: 'partial_listing' });
    expect(!verdict.ok && verdict.reason).toContain('the last listing was partial (page 7 failed)');
  });

  it('refuses a catalog older than maxSyncAgeMinutes, with the numbers', () => {
    expect(checkApplyGuards({ ...base, lastSync: { state: 'complete', finishedAt: minutesAgo(1440), partialReason: null } })).toEqual({ ok: true });
    const verdict = checkApplyGuards({ ...base, lastSync: { state: 'complete', finishedAt: minutesAgo(1441), partialReason: null } });
    expect(verdict).toMatchObject({ ok: false, limit: 'stale_catalog' });
    expect(!verdict.ok && verdict.reason).toContain('finished 1441 minutes ago (2026-05-31T11:59:00.000Z), more than maxSyncAgeMinutes 1440');
  });

  it('refuses a plan over maxActionsPerRun', () => {
    const verdict = checkApplyGuards({ ...base, planned: 101, liveAssets: 100_000 });
    expect(verdict).toEqual({ ok: false, limit: 'max_actions', reason: 'the plan has 101 actions, more than maxActionsPerRun 100' });
  });

  it('refuses a plan over maxCatalogFraction of the live catalog', () => {
    expect(checkApplyGuards({ ...base, planned: 100, liveAssets: 1_000 })).toEqual({ ok: true });
    const verdict = checkApplyGuards({ ...base, planned: 31, liveAssets: 300 });
    expect(verdict).toEqual({
      ok: false,
      limit: 'max_fraction',
      reason: 'the plan has 31 actions, 10.3% of the 300 live assets, more than maxCatalogFraction 0.1 allows (at most 30)',
    });
  });

  it('allows nothing at all with maxActionsPerRun 0, and nothing from an empty catalog', () => {
    expect(checkApplyGuards({ ...base, planned: 1, safety: { ...base.safety, maxActionsPerRun: 0 } })).toMatchObject({ ok: false, limit: 'max_actions' });
    expect(checkApplyGuards({ ...base, planned: 1, liveAssets: 0 })).toMatchObject({ ok: false, limit: 'max_fraction' });
    expect(checkApplyGuards({ ...base, planned: 0, liveAssets: 0 })).toEqual({ ok: true });
  });

  it('computes the fraction cap without floating-point surprises', () => {
    expect(fractionCap(1_000, 0.1)).toBe(100);
    expect(fractionCap(300, 0.1)).toBe(30);
    expect(fractionCap(70, 0.3)).toBe(21);
    expect(fractionCap(9, 0.1)).toBe(0);
  });
});
