import { describe, expect, it } from 'vitest';
import { checkPlanAge, checkPlanDrift, driftShare, recheckPlan, type PlanDrift, type PlannedAction } from '../../src/domain/retention-drift.ts';
import type { RetentionAssetRow, RetentionDecision } from '../../src/domain/retention-evaluate.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const minutesAgo = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);

function row(assetId: string, patch: Partial<RetentionAssetRow> = {}): RetentionAssetRow {
  return {
    assetId,
    kind: 'image',
    status: 'active',
    category: null,
    tags: [],
    providerCreatedAt: null,
    providerUpdatedAt: null,
    firstSeenAt: minutesAgo(100_000),
    lastChangedAt: minutesAgo(100_000),
    trashedAt: null,
    removedAt: null,
    ...patch,
  };
}

const planned = (assetId: string, id = 1): PlannedAction => ({ id, assetId, rule: 'trash-old', action: 'trash', reason: 'not updated for 400 days (> 365)' });
const decision = (assetId: string, patch: Partial<RetentionDecision> = {}): RetentionDecision => ({
  assetId,
  rule: 'trash-old',
  action: 'trash',
  state: 'planned',
  reason: 'not updated for 401 days (> 365)',
  alsoMatched: [],
  ...patch,
});
const TRASHED = { kind: 'trashed' } as const;

describe('recheckPlan', () => {
  it('keeps every action that still holds', () => {
    const drift = recheckPlan({ planned: [planned('a', 1), planned('b', 2)], rows: [row('a'), row('b')], decisions: [decision('a'), decision('b')], doneState: TRASHED });
    expect(drift.kept.map((p) => p.assetId)).toEqual(['a', 'b']);
    expect(drift.dropped).toEqual([]);
  });

  it('drops a removed, an already done, a protected, an unselected asset and one the rules now act on otherwise, each with its reason', () => {
    const drift = recheckPlan({
      planned: ['gone', 'trashed', 'held', 'edited', 'other', 'kept'].map((id, i) => planned(id, i + 1)),
      rows: [row('trashed', { trashedAt: minutesAgo(5) }), row('held', { tags: ['legal-hold'] }), row('edited'), row('other'), row('kept')],
      decisions: [
        decision('held', { state: 'skipped', reason: 'protected tag legal-hold: never acted on (matched: …)' }),
        decision('other', { action: 'delete' }),
        decision('kept'),
      ],
      doneState: TRASHED,
    });
    expect(drift.kept.map((p) => p.assetId)).toEqual(['kept']);
    expect(drift.dropped.map((d) => [d.planned.assetId, d.kind])).toEqual([
      ['gone', 'removed'],
      ['trashed', 'already_done'],
      ['held', 'protected'],
      ['edited', 'not_selected'],
      ['other', 'other_action'],
    ]);
    const why = new Map(drift.dropped.map((d) => [d.planned.assetId, d.why]));
    expect(why.get('gone')).toBe('no longer present at the provider (removed from the catalog since the plan)');
    expect(why.get('held')).toBe('protected now: protected tag legal-hold: never acted on (matched: …)');
    expect(why.get('edited')).toBe('no longer selected by any rule');
    expect(why.get('other')).toBe('the rules now choose delete, not trash');
  });

  it('treats a row marked removed like a missing one', () => {
    const drift = recheckPlan({ planned: [planned('a')], rows: [row('a', { removedAt: minutesAgo(1) })], decisions: [], doneState: TRASHED });
    expect(drift.dropped.map((d) => d.kind)).toEqual(['removed']);
  });
});

const driftOf = (kept: number, dropped: number): PlanDrift => ({
  kept: Array.from({ length: kept }, (_, i) => planned(`k${i}`, i)),
  dropped: Array.from({ length: dropped }, (_, i) => ({ planned: planned(`d${i}`, 100 + i), kind: 'removed' as const, why: 'gone' })),
});

describe('driftShare', () => {
  it('is the share of planned actions dropped, 0 for an empty plan', () => {
    expect(driftShare(driftOf(9, 1))).toBe(0.1);
    expect(driftShare(driftOf(0, 0))).toBe(0);
    expect(driftShare(driftOf(0, 3))).toBe(1);
  });
});

describe('checkPlanAge', () => {
  it('accepts a plan up to the limit and refuses an older one with the numbers', () => {
    expect(checkPlanAge({ plannedAt: minutesAgo(60), now: NOW, maxAgeMinutes: 60 })).toEqual({ ok: true });
    const verdict = checkPlanAge({ plannedAt: minutesAgo(61), now: NOW, maxAgeMinutes: 60 });
    expect(verdict).toMatchObject({ ok: false, limit: 'plan_too_old' });
    expect(!verdict.ok && verdict.reason).toContain('made 61 minutes ago (2026-06-01T10:59:00.000Z), more than RETENTION_PLAN_MAX_AGE_MINUTES 60');
  });
});

describe('checkPlanDrift', () => {
  const plannedAt = minutesAgo(30);
  it('accepts any drift when no complete sync finished after the plan', () => {
    expect(checkPlanDrift({ drift: driftOf(1, 9), plannedAt, lastCompleteSyncAt: undefined, maxDrift: 0.1 })).toEqual({ ok: true });
    expect(checkPlanDrift({ drift: driftOf(1, 9), plannedAt, lastCompleteSyncAt: minutesAgo(31), maxDrift: 0.1 })).toEqual({ ok: true });
  });

  it('after a complete sync, accepts drift up to the share and refuses more, with the numbers', () => {
    expect(checkPlanDrift({ drift: driftOf(9, 1), plannedAt, lastCompleteSyncAt: minutesAgo(5), maxDrift: 0.1 })).toEqual({ ok: true });
    const verdict = checkPlanDrift({ drift: driftOf(8, 2), plannedAt, lastCompleteSyncAt: minutesAgo(5), maxDrift: 0.1 });
    expect(verdict).toMatchObject({ ok: false, limit: 'plan_drift' });
    expect(!verdict.ok && verdict.reason).toContain('changed 2 of its 10 actions (20.0%), more than RETENTION_PLAN_MAX_DRIFT 0.1');
    // 0 tolerates no drop at all
    expect(checkPlanDrift({ drift: driftOf(9, 1), plannedAt, lastCompleteSyncAt: minutesAgo(5), maxDrift: 0 })).toMatchObject({ ok: false });
  });
});
