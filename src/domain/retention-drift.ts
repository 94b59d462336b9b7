/**
 * Re-checking a reviewed plan before it is carried out: each planned action is kept only if the asset is still
 * present, still selected by a rule and not protected now, judged on the current catalog and rules; the rest are
 * dropped with the reason. And the two refusals a reviewed plan has on top of the apply guards: too old, or a
 * catalog that a complete sync since the plan changed too much ("drift" = the share of planned actions dropped
 * on re-check). Pure: facts in, verdicts out.
 */
import { isInTargetState, type RetentionAssetRow, type RetentionDecision } from './retention-evaluate.ts';
import type { CatalogEffect } from './provider-facts.ts';

export interface PlannedAction {
  /** the action's row in the plan run */
  id: number;
  assetId: string;
  rule: string;
  action: string;
  reason: string;
}

export type DropKind = 'removed' | 'already_done' | 'protected' | 'not_selected' | 'other_action';

export interface DroppedAction {
  planned: PlannedAction;
  kind: DropKind;
  why: string;
}

export interface PlanDrift {
  kept: PlannedAction[];
  dropped: DroppedAction[];
}

export interface DriftInput {
  planned: readonly PlannedAction[];
  /** the provider's live catalog rows now (removed_at null) */
  rows: readonly RetentionAssetRow[];
  /** the current rules evaluated on those rows at the apply's "now" */
  decisions: readonly RetentionDecision[];
  /** how a row shows the provider's retention action done */
  doneState: CatalogEffect;
}

/** Which planned actions still hold, and why each of the others is dropped. */
export function recheckPlan(input: DriftInput): PlanDrift {
  const rows = new Map(input.rows.map((row) => [row.assetId, row]));
  const decisions = new Map(input.decisions.map((decision) => [decision.assetId, decision]));
  const kept: PlannedAction[] = [];
  const dropped: DroppedAction[] = [];
  for (const planned of input.planned) {
    const row = rows.get(planned.assetId);
    const decision = decisions.get(planned.assetId);
    if (row === undefined || row.removedAt !== null) {
      dropped.push({ planned, kind: 'removed', why: 'no longer present at the provider (removed from the catalog since the plan)' });
    } else if (isInTargetState(input.doneState, row)) {
      dropped.push({ planned, kind: 'already_done', why: `already done at the provider (${planned.action}): nothing left to do` });
    } else if (decision === undefined) {
      dropped.push({ planned, kind: 'not_selected', why: 'no longer selected by any rule' });
    } else if (decision.state === 'skipped') {
      dropped.push({ planned, kind: 'protected', why: `protected now: ${decision.reason}` });
    } else if (decision.action !== planned.action) {
      dropped.push({ planned, kind: 'other_action', why: `the rules now choose ${decision.action}, not ${planned.action}` });
    } else {
      kept.push(planned);
    }
  }
  return { kept, dropped };
}

/** The share of the plan's actions dropped on re-check (0 for an empty plan). */
export function driftShare(drift: PlanDrift): number {
  const total = drift.kept.length + drift.dropped.length;
  return total === 0 ? 0 : drift.dropped.length / total;
}

export type ReviewedPlanLimit = 'plan_too_old' | 'plan_drift';

export type ReviewedPlanVerdict = { ok: true } | { ok: false; limit: ReviewedPlanLimit; reason: string };

export interface PlanAgeInput {
  plannedAt: Date;
  now: Date;
  maxAgeMinutes: number;
}

export function checkPlanAge(input: PlanAgeInput): ReviewedPlanVerdict {
  const ageMinutes = Math.floor((input.now.getTime() - input.plannedAt.getTime()) / 60_000);
  if (ageMinutes <= input.maxAgeMinutes) return { ok: true };
  return {
    ok: false,
    limit: 'plan_too_old',
    reason: `the plan was made ${ageMinutes} minutes ago (${input.plannedAt.toISOString()}), more than RETENTION_PLAN_MAX_AGE_MINUTES ${input.maxAgeMinutes}: plan again`,
  };
}

export interface PlanDriftInput {
  drift: PlanDrift;
  plannedAt: Date;
  /** when the provider's last complete sync finished, if any */
  lastCompleteSyncAt: Date | undefined;
  maxDrift: number;
}

/**
 * Refuses when a complete sync finished after the plan and the re-check dropped more than `maxDrift` of it: the
 * catalog the plan was reviewed on is no longer the one it would act on. Without such a sync, drops (e.g. from
 * edited rules) are only dropped.
 */
export function checkPlanDrift(input: PlanDriftInput): ReviewedPlanVerdict {
  const { drift, plannedAt, lastCompleteSyncAt, maxDrift } = input;
  if (lastCompleteSyncAt === undefined || lastCompleteSyncAt.getTime() <= plannedAt.getTime()) return { ok: true };
  const share = driftShare(drift);
  if (share <= maxDrift + 1e-9) return { ok: true };
  const total = drift.kept.length + drift.dropped.length;
  return {
    ok: false,
    limit: 'plan_drift',
    reason:
      `a complete sync since the plan (finished ${lastCompleteSyncAt.toISOString()}) changed ${drift.dropped.length} of its ${total} actions ` +
      `(${(100 * share).toFixed(1)}%), more than RETENTION_PLAN_MAX_DRIFT ${maxDrift}: plan again`,
  };
}
