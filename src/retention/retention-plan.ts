/**
 * `retention plan`: evaluates the rules against the catalog at one fixed "now", records the plan as a run with
 * its actions (planned, or skipped with the protecting tag), and says whether `apply` would accept it. It
 * reads the database only: no provider is contacted.
 */
import { countLiveAssets } from '../db/catalog.repository.ts';
import { createDb } from '../db/client.ts';
import type { RetentionDecision } from '../domain/retention-evaluate.ts';
import type { GuardVerdict } from '../domain/retention-guards.ts';
import type { ProviderName, RetentionReversal } from '../domain/provider-facts.ts';
import { assessPlan, hasRulesFor, providerFacts, rulesNotes, type RetentionDeps, type RulesWithSource } from './retention-plan-assessment.ts';
import { countActionsByState, findUnfinishedApplyRun, insertRunWithActions } from '../db/retention.repository.ts';

export interface ProviderPlan {
  provider: ProviderName;
  /** null when there is no rule for the provider (nothing is recorded) */
  runId: number | null;
  evaluatedAt: Date;
  liveAssets: number;
  /** present assets not already in the target state */
  candidates: number;
  decisions: RetentionDecision[];
  planned: number;
  skipped: number;
  /** what `apply` would decide about this plan now */
  applyVerdict: GuardVerdict;
  /** whether the provider can take its retention action back (`retention undo`) */
  reversal: RetentionReversal;
  /** an interrupted apply that `apply` will finish before planning anew */
  unfinishedRun: { runId: number; pending: number } | null;
  notes: string[];
}

export async function planProvider(deps: RetentionDeps, loaded: RulesWithSource, provider: ProviderName, now: Date): Promise<ProviderPlan> {
  const { pool } = deps;
  const unfinished = await findUnfinishedApplyRun(createDb(pool), provider);
  let unfinishedRun: ProviderPlan['unfinishedRun'] = null;
  if (unfinished !== undefined) {
    const counts = await countActionsByState(pool, unfinished.id);
    unfinishedRun = { runId: unfinished.id, pending: counts.planned + counts.in_flight };
  }
  const facts = providerFacts(deps, provider);
  const notes = rulesNotes(loaded.rules, facts);
  const { reversal } = facts.retention;
  if (!hasRulesFor(loaded.rules, provider)) {
    return {
      provider,
      runId: null,
      evaluatedAt: now,
      liveAssets: (await countLiveAssets(pool, provider)).live,
      candidates: 0,
      decisions: [],
      planned: 0,
      skipped: 0,
      applyVerdict: { ok: true },
      reversal,
      unfinishedRun,
      notes: [`no rule in ${loaded.path} names ${provider}`, ...notes],
    };
  }
  const { evaluation, planned, skipped, liveAssets, verdict: applyVerdict } = await assessPlan(pool, loaded.rules, facts, now);
  const runId = await insertRunWithActions(
    pool,
    {
      mode: 'plan',
      startedBy: deps.startedBy,
      provider,
      evaluatedAt: now,
      state: 'planned',
      rulesDigest: loaded.digest,
      summary: { candidates: evaluation.candidates, planned, skipped, liveAssets, applyVerdict },
    },
    evaluation.decisions,
  );
  deps.logger.info({ provider, runId, planned, skipped, candidates: evaluation.candidates }, 'plan recorded');
  return {
    provider,
    runId,
    evaluatedAt: now,
    liveAssets,
    candidates: evaluation.candidates,
    decisions: evaluation.decisions,
    planned,
    skipped,
    applyVerdict,
    reversal,
    unfinishedRun,
    notes,
  };
}

/** Plans every named provider against one "now". */
export async function planRetention(deps: RetentionDeps, loaded: RulesWithSource, providers: readonly ProviderName[]): Promise<ProviderPlan[]> {
  const now = (deps.clock ?? (() => new Date()))();
  const plans: ProviderPlan[] = [];
  for (const provider of providers) plans.push(await planProvider(deps, loaded, provider, now));
  return plans;
}
