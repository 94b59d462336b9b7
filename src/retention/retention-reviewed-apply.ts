/**
 * `retention apply --plan RUN` (and `retention approve RUN`): carries out exactly the actions a recorded plan run
 * decided, not a fresh plan. Under the same locks as any apply, each planned action is re-checked against the
 * current catalog and rules and dropped with its reason when it no longer holds (src/domain/retention-drift.ts);
 * a plan too old, or one a complete sync since has changed too much, is refused. The kept actions become an
 * apply run (plan_run_id = RUN) carried out by the same executor, so an interrupted one is finished by the next
 * apply of the same plan, exactly as an interrupted ordinary apply is.
 */
import { createDb } from '../db/client.ts';
import { countActionsByState, findUnfinishedApplyRun, insertRunWithActions, loadActions, type RetentionRun } from '../db/retention.repository.ts';
import { findAppliesOfPlan, findRun } from '../db/retention-runs.repository.ts';
import { checkPlanAge, checkPlanDrift, recheckPlan, type PlanDrift, type PlannedAction } from '../domain/retention-drift.ts';
import type { RetentionDecision } from '../domain/retention-evaluate.ts';
import { checkApplyGuards } from '../domain/retention-guards.ts';
import type { RetentionAction } from '../domain/retention-rules.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { InvalidRequestError } from '../errors.ts';
import type { AssetProvider } from '../providers/provider.ts';
import type { ProviderApplyResult } from './retention-apply-result.ts';
import { execute, insertRefusedRun, resumeRun, rulesOf, withApplyLocks, type RunInput } from './retention-apply.ts';
import { evaluateLive, liveGuards, providerFacts, type RetentionDeps } from './retention-plan-assessment.ts';
import type { LoadedRules } from './retention-rules.loader.ts';

export interface ReviewedPlanLimits {
  /** RETENTION_PLAN_MAX_AGE_MINUTES (a plan recorded for approval is bounded by its expiry instead) */
  maxAgeMinutes: number;
  /** RETENTION_PLAN_MAX_DRIFT */
  maxDrift: number;
}

export type ReviewedRefusal = 'plan_too_old' | 'plan_drift' | 'plan_expired' | 'unfinished_apply' | GuardRefusal;
type GuardRefusal = Exclude<ReturnType<typeof checkApplyGuards>, { ok: true }>['limit'];

export interface ReviewedPlanFacts {
  planRunId: number;
  provider: ProviderName;
  plannedAt: Date;
  /** the rules file differs from the one the plan was made with */
  rulesChanged: boolean;
}

export type ReviewedApplyOutcome =
  | { kind: 'applied'; plan: ReviewedPlanFacts; drift: PlanDrift; result: ProviderApplyResult }
  | { kind: 'resumed'; plan: ReviewedPlanFacts; result: ProviderApplyResult }
  | { kind: 'already_applied'; plan: ReviewedPlanFacts; runId: number; state: string }
  | { kind: 'refused'; plan: ReviewedPlanFacts; runId: number | null; limit: ReviewedRefusal; reason: string; drift: PlanDrift | null };

export interface ReviewedApplyRequest {
  deps: RetentionDeps;
  loaded: LoadedRules;
  plan: RetentionRun;
  provider: AssetProvider;
  limits: ReviewedPlanLimits;
  /** told the drift before anything is sent (the command prints it) */
  onDrift?: (drift: PlanDrift) => void;
}

/** The plan run RUN, checked to be a plan; an unknown id or an apply run is a usage error. */
export async function loadPlanRun(deps: Pick<RetentionDeps, 'pool'>, planRunId: number): Promise<RetentionRun> {
  const run = await findRun(createDb(deps.pool), planRunId);
  if (run === undefined) throw new InvalidRequestError(`there is no retention run #${planRunId}`);
  if (run.mode !== 'plan') throw new InvalidRequestError(`retention run #${planRunId} is an ${run.mode} run, not a plan: give the number \`retention plan\` printed`);
  return run;
}

export function planProviderName(plan: RetentionRun): ProviderName {
  const [provider] = plan.providers;
  if (provider === undefined || plan.providers.length !== 1) throw new InvalidRequestError(`retention run #${plan.id} names no single provider`);
  return provider;
}

export function planFacts(plan: RetentionRun, digest: string): ReviewedPlanFacts {
  return { planRunId: plan.id, provider: planProviderName(plan), plannedAt: plan.evaluatedAt, rulesChanged: plan.rulesDigest !== digest };
}

function decisionsOf(drift: PlanDrift, action: RetentionAction): RetentionDecision[] {
  const kept = drift.kept.map((planned) => ({ assetId: planned.assetId, rule: planned.rule, action, state: 'planned' as const, reason: planned.reason, alsoMatched: [] }));
  const dropped = drift.dropped.map(({ planned, why }) => ({
    assetId: planned.assetId,
    rule: planned.rule,
    action,
    state: 'skipped' as const,
    reason: `dropped on re-check: ${why}; planned as: ${planned.reason}`,
    alsoMatched: [],
  }));
  return [...kept, ...dropped];
}

async function refuse(
  input: RunInput,
  plan: ReviewedPlanFacts,
  refusal: { limit: ReviewedRefusal; reason: string },
  drift: PlanDrift | null,
): Promise<ReviewedApplyOutcome> {
  const runId = await insertRefusedRun(
    input,
    { planRunId: plan.planRunId, summary: { limit: refusal.limit, ...(drift === null ? {} : { kept: drift.kept.length, dropped: drift.dropped.length }) } },
    refusal,
    async (tx) => drift?.kept.length ?? (await countActionsByState(tx, plan.planRunId)).planned,
  );
  input.log.warn({ runId, planRunId: plan.planRunId, limit: refusal.limit }, `reviewed plan refused, nothing done: ${refusal.reason}`);
  return { kind: 'refused', plan, runId, limit: refusal.limit, reason: refusal.reason, drift };
}

/** Re-checks the plan on the current catalog and rules and, unless a limit refuses it, applies what still holds. */
async function applyFresh(request: ReviewedApplyRequest, input: RunInput, facts: ReviewedPlanFacts): Promise<ReviewedApplyOutcome> {
  const { deps, plan, limits } = request;
  const { pool } = deps;
  // a plan recorded for approval is bounded by its expiry, also once approved (a refused or stopped apply of it
  // must not be carried out weeks later); any other plan by the age limit
  if (plan.expiresAt !== null && input.now.getTime() > plan.expiresAt.getTime()) {
    return refuse(input, facts, { limit: 'plan_expired', reason: `plan #${plan.id} expired at ${plan.expiresAt.toISOString()}: plan again` }, null);
  }
  if (plan.expiresAt === null) {
    const age = checkPlanAge({ plannedAt: plan.evaluatedAt, now: input.now, maxAgeMinutes: limits.maxAgeMinutes });
    if (!age.ok) return refuse(input, facts, age, null);
  }
  const provider = providerFacts(deps, input.provider.name);
  const plannedRows = await loadActions(createDb(pool), plan.id, ['planned']);
  const planned: PlannedAction[] = plannedRows.map((row) => ({ id: row.id, assetId: row.assetId, rule: row.rule, action: row.action, reason: row.reason }));
  const live = await evaluateLive(pool, input.rules, provider, input.now);
  const { rows, lastSync } = live;
  const drift = recheckPlan({ planned, rows, decisions: live.evaluation.decisions, doneState: provider.retention.doneState });
  request.onDrift?.(drift);

  const lastCompleteSyncAt = lastSync?.state === 'complete' ? lastSync.finishedAt : undefined;
  const drifted = checkPlanDrift({ drift, plannedAt: plan.evaluatedAt, lastCompleteSyncAt, maxDrift: limits.maxDrift });
  if (!drifted.ok) return refuse(input, facts, drifted, drift);
  const guards = liveGuards(live, drift.kept.length, input.rules, input.now);
  if (!guards.ok) return refuse(input, facts, guards, drift);

  const runId = await insertRunWithActions(
    pool,
    {
      mode: 'apply',
      startedBy: deps.startedBy,
      planRunId: plan.id,
      provider: input.provider.name,
      evaluatedAt: input.now,
      state: 'applying',
      rulesDigest: input.digest,
      summary: { planned: drift.kept.length, dropped: drift.dropped.length, liveAssets: rows.length },
    },
    decisionsOf(drift, provider.retention.action),
  );
  input.log.info({ runId, planRunId: plan.id, kept: drift.kept.length, dropped: drift.dropped.length }, 'reviewed plan accepted; applying');
  return { kind: 'applied', plan: facts, drift, result: await execute(input, runId, false) };
}

/**
 * Applies the plan run at its provider. The plan's own state (awaiting approval, expired) is the caller's to
 * check: retention-approval.ts for approvals, applyReviewedPlan for `apply --plan`.
 */
export async function carryOutPlan(request: ReviewedApplyRequest): Promise<ReviewedApplyOutcome> {
  const { deps, plan, provider } = request;
  const { pool } = deps;
  const log = deps.logger.child({ provider: provider.name, component: 'retention', planRunId: plan.id });
  const { rules, digest } = rulesOf(request.loaded);
  const facts = planFacts(plan, digest);
  return withApplyLocks(deps, provider.name, log, async (assertLocksHeld) => {
    const now = (deps.clock ?? (() => new Date()))();
    const input: RunInput = { deps, provider, rules, digest, now, log, assertLocksHeld };
    const unfinished = await findUnfinishedApplyRun(createDb(pool), provider.name);
    if (unfinished !== undefined && unfinished.planRunId === plan.id) return { kind: 'resumed', plan: facts, result: await resumeRun(input, unfinished) };
    if (unfinished !== undefined) {
      const reason = `apply run #${unfinished.id} of ${provider.name} did not finish: run \`retention apply --provider ${provider.name}\` to finish it first`;
      return { kind: 'refused', plan: facts, runId: null, limit: 'unfinished_apply', reason, drift: null };
    }
    const finished = (await findAppliesOfPlan(createDb(pool), plan.id)).find((run) => run.state === 'done' || run.state === 'failed');
    if (finished !== undefined) return { kind: 'already_applied', plan: facts, runId: finished.id, state: finished.state };
    return applyFresh(request, input, facts);
  });
}

/** The refusal of a plan that expired unapproved: no apply run, nothing sent; `reason` says what the caller did about it. */
export function expiredPlanRefused(request: ReviewedApplyRequest, reason: string): ReviewedApplyOutcome {
  return { kind: 'refused', plan: planFacts(request.plan, rulesOf(request.loaded).digest), runId: null, limit: 'plan_expired', reason, drift: null };
}

/** `retention apply --plan RUN`: a plan awaiting approval needs `retention approve`, an expired one is refused. */
export async function applyReviewedPlan(request: ReviewedApplyRequest): Promise<ReviewedApplyOutcome> {
  const { plan } = request;
  if (plan.state === 'awaiting_approval') {
    throw new InvalidRequestError(`plan #${plan.id} is awaiting approval: approve it with \`retention approve ${plan.id}\``);
  }
  if (plan.state === 'expired') {
    return expiredPlanRefused(request, `plan #${plan.id} expired unapproved at ${plan.expiresAt?.toISOString() ?? 'its expiry'}: plan again`);
  }
  return carryOutPlan(request);
}
