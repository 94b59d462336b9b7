import { describe, expect, it } from 'vitest';
import { undoDecision, undoVerdict, type UndoTarget } from '../../src/domain/retention-undo.ts';

const NOW = new Date('2026-06-01T12:00:00Z');

const mediapocketRun: UndoTarget = {
  id: 7,
  mode: 'apply',
  state: 'done',
  displayName: 'Media Pocket',
  action: 'trash',
  reversal: { kind: 'reversible', undoAction: 'restore', how: 'restored from the trash bin' },
  applied: 12,
};

describe('undoVerdict', () => {
  it('lets a finished apply run of a reversible action through, with the action that reverses it', () => {
    expect(undoVerdict(mediapocketRun)).toEqual({ ok: true, undoAction: 'restore' });
    expect(undoVerdict({ ...mediapocketRun, state: 'failed' })).toEqual({ ok: true, undoAction: 'restore' });
  });

  it('refuses an irreversible action, saying the provider cannot reverse it and why', () => {
    const verdict = undoVerdict({
      ...mediapocketRun,
      displayName: 'Roughy',
      action: 'delete',
      reversal: { kind: 'irreversible', why: 'deletes are permanent' },
    });
    expect(verdict).toEqual({ ok: false, reason: 'Roughy cannot reverse delete: deletes are permanent; run #7 cannot be undone' });
  });

  it('refuses plans, undo runs, unfinished and refused applies', () => {
    expect(undoVerdict({ ...mediapocketRun, mode: 'plan' })).toMatchObject({ ok: false, reason: expect.stringContaining('is a plan') });
    expect(undoVerdict({ ...mediapocketRun, mode: 'undo' })).toMatchObject({ ok: false, reason: expect.stringContaining('itself an undo run') });
    expect(undoVerdict({ ...mediapocketRun, state: 'applying' })).toMatchObject({ ok: false, reason: expect.stringContaining('has not finished') });
    expect(undoVerdict({ ...mediapocketRun, state: 'refused', applied: 0 })).toMatchObject({ ok: false, reason: expect.stringContaining('was refused') });
    // refused only when it resumed, after earlier waves had acted: what it did can be undone
    expect(undoVerdict({ ...mediapocketRun, state: 'refused', applied: 3 })).toEqual({ ok: true, undoAction: 'restore' });
  });

  it('names the irreversibility before the run state: an unfinished Roughy run is refused for what it is', () => {
    const verdict = undoVerdict({ ...mediapocketRun, state: 'applying', displayName: 'Roughy', action: 'delete', reversal: { kind: 'irreversible', why: 'gone' } });
    expect(verdict).toMatchObject({ ok: false, reason: expect.stringContaining('Roughy cannot reverse delete') });
  });
});

describe('undoDecision', () => {
  it('plans a restore for an asset still in the trash bin', () => {
    expect(undoDecision({ trashedAt: NOW, removedAt: null }, 'restore', 7)).toEqual({ state: 'planned', reason: 'restore what run #7 did' });
  });

  it('skips, with the reason, an asset no longer trashed, gone, or no longer in the catalog', () => {
    expect(undoDecision({ trashedAt: null, removedAt: null }, 'restore', 7)).toMatchObject({ state: 'skipped', reason: expect.stringContaining('no longer in the trash bin') });
    expect(undoDecision({ trashedAt: NOW, removedAt: NOW }, 'restore', 7)).toEqual({
      state: 'skipped',
      reason: 'gone at the provider since 2026-06-01T12:00:00.000Z: nothing to restore',
    });
    expect(undoDecision(undefined, 'restore', 7)).toMatchObject({ state: 'skipped', reason: expect.stringContaining('not in the catalog') });
    // trashed by the run (the provider's own stamp a little later), or trashed again by someone since
    const actedAt = new Date(NOW.getTime() - 30 * 60_000);
    expect(undoDecision({ trashedAt: new Date(actedAt.getTime() + 2_000), removedAt: null, actedAt }, 'restore', 7)).toMatchObject({ state: 'planned' });
    expect(undoDecision({ trashedAt: NOW, removedAt: null, actedAt }, 'restore', 7)).toEqual({
      state: 'skipped',
      reason: `trashed again at ${NOW.toISOString()}, after run #7: left as it is`,
    });
  });
});
