/**
 * `retention apply` and the scheduled `retention.apply` job: one code path. Per provider, under the provider's
 * retention lock (two applies never overlap) and its sync lock (no sync rewrites the rows being acted on):
 *
 * 1. An apply run an earlier process left unfinished is finished first, instead of planning anew: actions it
 *    left in flight are settled by lookup, the rest are kept only if the current rules still select them on
 *    the current catalog, and the guards are checked again.
 * 2. Otherwise the rules are evaluated at one fixed "now" and the guards checked: a stale or partial catalog,
 *    or a plan over maxActionsPerRun or maxCatalogFraction, records a refused run and does nothing else.
 * 3. The plan is persisted with the run, then executed (retention-executor.ts).
 */
import type { PoolClient } from 'pg';
import { acquireProviderLock } from '../db/provider-lock.ts';
import { recordNotificationEvent } from '../db/notification-events.repository.ts';
import { withTransaction } from '../db/transaction.ts';
import { retentionFinishedType } from '../domain/notification-event.ts';
import { createDb } from '../db/client.ts';
import { SAFETY_DEFAULTS, type RetentionRules } from '../domain/retention-rules.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { Logger } from '../logger.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { assessPlan, evaluateLive, hasRulesFor, liveGuards, providerFacts, rulesNotes, type RetentionDeps } from './retention-plan-assessment.ts';
import { executeRun, runEndState, verifyInFlight, type ExecutorOptions } from './retention-executor.ts';
import type { ProviderApplyOutcome, ProviderApplyResult } from './retention-apply-result.ts';
import { applyFailed, applySummaryLine } from './retention-format.ts';
import type { LoadedRules } from './retention-rules.loader.ts';
import {
  countActionsByState,
  findUnfinishedApplyRun,
  insertRun,
  insertRunWithActions,
  loadActions,
  settleActions,
  updateRun,
  type NewRun,
  type RetentionRun,
} from '../db/retention.repository.ts';

export type { ProviderApplyOutcome, ProviderApplyResult } from './retention-apply-result.ts';

export interface RunInput {
  deps: RetentionDeps;
  provider: AssetProvider;
  rules: RetentionRules;
  digest: string;
  now: Date;
  log: Logger;
  /** throws once the apply's provider locks are lost with their connection */
  assertLocksHeld?: () => void;
}

const NO_RULES: RetentionRules = { safety: { ...SAFETY_DEFAULTS, protectedTags: [] }, rules: [] };

function executorOptions(input: RunInput, runId: number): ExecutorOptions {
  const { deps, provider } = input;
  return {
    pool: deps.pool,
    provider,
    runId,
    // the provider's one retention action, from the registry: never another action
    action: providerFacts(deps, provider.name).retention.action,
    log: input.log,
    clock: deps.clock ?? (() => new Date()),
    signal: deps.signal,
    maxActions: input.rules.safety.maxActionsPerRun,
    ...deps.executor,
    onProgress: (settled, total) => deps.onProgress?.(provider.name, settled, total),
    assertMayAct: input.assertLocksHeld,
  };
}

async function finishRun(input: RunInput, runId: number, resumed: boolean, stopped: ProviderApplyResult['stopped']): Promise<ProviderApplyResult> {
  const { deps, provider } = input;
  const counts = await countActionsByState(deps.pool, runId);
  const pending = counts.planned + counts.in_flight;
  const state = runEndState(counts);
  const summary = { ...counts, stopped };
  const finishedAt = state === 'applying' ? null : (deps.clock ?? (() => new Date()))();
  await withTransaction(deps.pool, async (tx) => {
    await updateRun(createDb(tx), runId, { state, summary, finishedAt });
    if (state === 'applying') return;
    const { applied, failed, skipped } = counts;
    const data = { provider: provider.name, runId, planned: applied + failed, applied, failed, skipped };
    await recordNotificationEvent(tx, deps.notifications, retentionFinishedType(failed), data);
  });
  return {
    provider: provider.name,
    runId,
    resumed,
    evaluatedAt: input.now,
    planned: counts.applied + counts.failed + pending,
    applied: counts.applied,
    failed: counts.failed,
    skipped: counts.skipped,
    pending,
    refused: null,
    stopped,
    notes: rulesNotes(input.rules, providerFacts(input.deps, provider.name)),
  };
}

/** Carries out a recorded apply run's planned actions and records how the run ended. */
export async function execute(input: RunInput, runId: number, resumed: boolean): Promise<ProviderApplyResult> {
  const result = await executeRun(executorOptions(input, runId));
  return finishRun(input, runId, resumed, result.stopped ?? null);
}

function resultWithoutActions(input: RunInput, runId: number | null, resumed: boolean, counts: { planned: number; skipped: number }, refused: ProviderApplyResult['refused']): ProviderApplyResult {
  return {
    provider: input.provider.name,
    runId,
    resumed,
    evaluatedAt: input.now,
    planned: counts.planned,
    applied: 0,
    failed: 0,
    skipped: counts.skipped,
    pending: 0,
    refused,
    stopped: null,
    notes: rulesNotes(input.rules, providerFacts(input.deps, input.provider.name)),
  };
}

function nothingToDo(input: RunInput, loaded: LoadedRules): ProviderApplyResult {
  const why = loaded.kind === 'none' ? `no rules file (${loaded.path})` : `no rule in ${loaded.path} names ${input.provider.name}`;
  return { ...resultWithoutActions(input, null, false, { planned: 0, skipped: 0 }, null), notes: [why] };
}

export async function resumeRun(input: RunInput, run: RetentionRun): Promise<ProviderApplyResult> {
  const { deps, provider, rules, now, log } = input;
  const { pool } = deps;
  log.warn({ runId: run.id, plannedAt: run.evaluatedAt }, 'an earlier apply of this provider did not finish: finishing it before planning anew');
  await verifyInFlight(executorOptions(input, run.id));

  const live = await evaluateLive(pool, rules, providerFacts(deps, provider.name), now);
  const current = new Map(live.evaluation.decisions.map((decision) => [decision.assetId, decision]));
  const pending = await loadActions(createDb(pool), run.id, ['planned']);
  const kept: number[] = [];
  for (const action of pending) {
    const decision = current.get(action.assetId);
    if (decision?.state === 'planned') {
      kept.push(action.id);
      continue;
    }
    const why = decision === undefined ? 'no longer selected by the rules when the run resumed' : `skipped when the run resumed: ${decision.reason}`;
    await settleActions(pool, [action.id], { state: 'skipped', reason: why }, ['planned']);
  }

  const verdict = liveGuards(live, kept.length, rules, now);
  if (!verdict.ok) {
    await settleActions(pool, kept, { state: 'skipped', reason: `apply refused when the run resumed: ${verdict.reason}` }, ['planned']);
    await withTransaction(pool, async (tx) => {
      await updateRun(createDb(tx), run.id, { state: 'refused', refusal: verdict.reason, finishedAt: now });
      const data = { provider: provider.name, runId: run.id, limit: verdict.limit, reason: verdict.reason, planned: kept.length };
      await recordNotificationEvent(tx, deps.notifications, 'retention.refused', data);
    });
    log.warn({ runId: run.id, limit: verdict.limit }, `refused, nothing done: ${verdict.reason}`);
    const counts = await countActionsByState(pool, run.id);
    return {
      ...resultWithoutActions(input, run.id, true, { planned: counts.applied + counts.failed, skipped: counts.skipped }, { limit: verdict.limit, reason: verdict.reason }),
      applied: counts.applied,
      failed: counts.failed,
    };
  }
  return execute(input, run.id, true);
}

async function freshRun(input: RunInput): Promise<ProviderApplyResult> {
  const { deps, provider, rules, now, log } = input;
  const { pool } = deps;
  const { evaluation, planned, skipped, liveAssets, verdict } = await assessPlan(pool, rules, providerFacts(input.deps, provider.name), now);
  if (!verdict.ok) {
    const runId = await insertRefusedRun(
      input,
      { summary: { candidates: evaluation.candidates, planned, skipped, liveAssets, limit: verdict.limit } },
      verdict,
      async () => planned,
    );
    log.warn({ runId, limit: verdict.limit }, `refused, nothing done: ${verdict.reason}`);
    return resultWithoutActions(input, runId, false, { planned, skipped }, { limit: verdict.limit, reason: verdict.reason });
  }
  const runId = await insertRunWithActions(
    pool,
    {
      mode: 'apply',
      startedBy: deps.startedBy,
      provider: provider.name,
      evaluatedAt: now,
      state: 'applying',
      rulesDigest: input.digest,
      summary: { candidates: evaluation.candidates, planned, skipped, liveAssets },
    },
    evaluation.decisions,
  );
  log.info({ runId, planned, skipped }, 'plan accepted; applying');
  return execute(input, runId, false);
}

/**
 * Records an apply run refused before it acted, with its `retention.refused` event in the same transaction;
 * `planned` counts the actions it would have taken.
 */
export async function insertRefusedRun(
  input: RunInput,
  run: Pick<NewRun, 'summary'> & Partial<Pick<NewRun, 'planRunId'>>,
  refusal: { limit: string; reason: string },
  planned: (tx: PoolClient) => Promise<number>,
): Promise<number> {
  const { deps, provider } = input;
  return withTransaction(deps.pool, async (tx) => {
    const runId = await insertRun(tx, {
      ...run,
      mode: 'apply',
      startedBy: deps.startedBy,
      provider: provider.name,
      evaluatedAt: input.now,
      state: 'refused',
      refusal: refusal.reason,
      rulesDigest: input.digest,
    });
    const data = { provider: provider.name, runId, limit: refusal.limit, reason: refusal.reason, planned: await planned(tx) };
    await recordNotificationEvent(tx, deps.notifications, 'retention.refused', data);
    return runId;
  });
}

/**
 * Runs `work` under the provider's retention lock (no two applies or undos overlap) and its sync lock (no sync
 * rewrites the rows acted on).
 */
export async function withApplyLocks<T>(
  deps: RetentionDeps,
  provider: ProviderName,
  log: Logger,
  work: (assertLocksHeld: () => void) => Promise<T>,
): Promise<T> {
  const { pool } = deps;
  const retentionLock = await acquireProviderLock(
    pool,
    'retention',
    provider,
    () => log.info('another retention apply or undo of this provider is running; waiting for it'),
    deps.signal,
  );
  try {
    const syncLock = await acquireProviderLock(
      pool,
      'sync',
      provider,
      () => log.info('a sync of this provider is running; waiting for it to finish before acting'),
      deps.signal,
    );
    try {
      return await work(() => {
        retentionLock.assertHeld();
        syncLock.assertHeld();
      });
    } finally {
      await syncLock.release();
    }
  } finally {
    await retentionLock.release();
  }
}

export function rulesOf(loaded: LoadedRules): { rules: RetentionRules; digest: string } {
  return loaded.kind === 'rules' ? { rules: loaded.rules, digest: loaded.digest } : { rules: NO_RULES, digest: 'no-rules' };
}

export async function applyProvider(deps: RetentionDeps, loaded: LoadedRules, provider: AssetProvider): Promise<ProviderApplyResult> {
  const { pool } = deps;
  const log = deps.logger.child({ provider: provider.name, component: 'retention' });
  const { rules, digest } = rulesOf(loaded);
  return withApplyLocks(deps, provider.name, log, async (assertLocksHeld) => {
    const now = (deps.clock ?? (() => new Date()))();
    const input: RunInput = { deps, provider, rules, digest, now, log, assertLocksHeld };
    const unfinished = await findUnfinishedApplyRun(createDb(pool), provider.name);
    if (unfinished !== undefined) return resumeRun(input, unfinished);
    if (!hasRulesFor(rules, provider.name)) return nothingToDo(input, loaded);
    return freshRun(input);
  });
}

/**
 * Applies retention at each given provider in turn. One at a time on purpose: each apply holds two locks on
 * dedicated connections while it works, and a provider that fails or refuses does not stop the next one.
 */
export async function applyRetention(deps: RetentionDeps, loaded: LoadedRules, providers: readonly AssetProvider[]): Promise<ProviderApplyOutcome[]> {
  const outcomes: ProviderApplyOutcome[] = [];
  for (const provider of providers) {
    if (deps.signal?.aborted === true) {
      // not started: nothing recorded, the next apply does it
      outcomes.push({ provider: provider.name, error: deps.signal.reason });
      continue;
    }
    let outcome: ProviderApplyOutcome;
    try {
      outcome = { provider: provider.name, result: await applyProvider(deps, loaded, provider) };
    } catch (error) {
      // also reported by the caller (the command prints it, the job rethrows it for a retry)
      outcome = { provider: provider.name, error };
    }
    outcomes.push(outcome);
    // one summary line per provider's run, whoever asked for the apply
    if (applyFailed(outcome)) deps.logger.warn(applySummaryLine(outcome));
    else deps.logger.info(applySummaryLine(outcome));
  }
  return outcomes;
}
