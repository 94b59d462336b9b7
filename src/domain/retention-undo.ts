/**
 * What `retention undo` decides before it contacts anyone: whether a run can be undone at all, and for each asset
 * the run acted on, whether it is still in the state the run left it in (so reversing it is the run's own undo,
 * not a change to something someone else has handled since). Pure.
 */
import type { AssetAction } from './action-names.ts';
import type { RetentionReversal } from './provider-facts.ts';

/** The facts of the run asked to be undone, as retention_runs records them. */
export interface UndoTarget {
  id: number;
  mode: string;
  state: string;
  /** the provider's name for people */
  displayName: string;
  /** the retention action the run took */
  action: AssetAction;
  reversal: RetentionReversal;
  /** actions the run applied: a run refused when it resumed may have applied some before */
  applied: number;
}

export type UndoVerdict = { ok: true; undoAction: AssetAction } | { ok: false; reason: string };

/** Whether the run can be undone; when not, why, in words for the operator. */
export function undoVerdict(target: UndoTarget): UndoVerdict {
  const run = `run #${target.id}`;
  if (target.mode === 'plan') return { ok: false, reason: `${run} is a plan: it changed nothing at ${target.displayName}, so there is nothing to undo` };
  if (target.mode === 'undo') return { ok: false, reason: `${run} is itself an undo run: undoing an undo is not supported` };
  if (target.mode !== 'apply') return { ok: false, reason: `${run} is a ${target.mode} run: only apply runs can be undone` };
  if (target.reversal.kind === 'irreversible') {
    return { ok: false, reason: `${target.displayName} cannot reverse ${target.action}: ${target.reversal.why}; ${run} cannot be undone` };
  }
  if (target.state === 'applying') {
    return { ok: false, reason: `${run} has not finished: run retention apply to finish it, then undo it` };
  }
  if (target.state === 'refused' && target.applied === 0) return { ok: false, reason: `${run} was refused and did nothing: there is nothing to undo` };
  return { ok: true, undoAction: target.reversal.undoAction };
}

/** The catalog row of an asset the run acted on, as far as undo needs it. */
export interface UndoAssetRow {
  trashedAt: Date | null;
  removedAt: Date | null;
  /** when the run's action took effect; a trash much later than it is someone else's, done since */
  actedAt?: Date | null;
}

/** The provider stamps its own trash time on the asset, a little after the run recorded its action. */
const RETRASH_TOLERANCE_MS = 10 * 60_000;

export type UndoDecision = { state: 'planned'; reason: string } | { state: 'skipped'; reason: string };

/**
 * "Still in the trash bin" is read from the catalog, which the run's own catalog effect, every sync and every
 * other action keep current: trashed_at set and removed_at unset. Anything else is skipped with its reason and
 * no call is made for it.
 */
export function undoDecision(row: UndoAssetRow | undefined, undoAction: AssetAction, runId: number): UndoDecision {
  if (row === undefined) return { state: 'skipped', reason: 'not in the catalog any more: nothing to restore' };
  if (row.removedAt !== null) return { state: 'skipped', reason: `gone at the provider since ${row.removedAt.toISOString()}: nothing to restore` };
  if (row.trashedAt === null) return { state: 'skipped', reason: 'no longer in the trash bin (restored or changed since the run): left as it is' };
  if (row.actedAt != null && row.trashedAt.getTime() - row.actedAt.getTime() > RETRASH_TOLERANCE_MS) {
    return { state: 'skipped', reason: `trashed again at ${row.trashedAt.toISOString()}, after run #${runId}: left as it is` };
  }
  return { state: 'planned', reason: `${undoAction} what run #${runId} did` };
}
