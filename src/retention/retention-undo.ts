/**
 * `retention undo RUN`: reverses what an apply run did, where its provider can (Media Pocket restores from the
 * trash bin; src/domain/provider-facts.ts says which can). The undo is a run of its own (mode 'undo',
 * undo_of_run_id) whose restore actions go through the action engine with retention's ledger, under the
 * provider's retention and sync locks as apply takes them, so:
 *
 * - an undo that was interrupted is finished, not started anew: restores it left in flight are verified by
 *   lookup first, and nothing is restored twice;
 * - an asset an earlier undo of the same run restored or skipped is not taken up again: a second undo does nothing;
 * - only assets still in the trash bin (the catalog: trashed_at set, removed_at unset) are restored; the rest are
 *   recorded skipped with the reason, and no call is made for them.
 */
import { createDb } from '../db/client.ts';
import { countActionsByState, settleActions, updateRun, type ActionState } from '../db/retention.repository.ts';
import { findRun } from '../db/retention-runs.repository.ts';
import {
  appliedActionOf,
  findUndoRuns,
  insertUndoRun,
  loadPlannedUndoActions,
  loadUndoCandidates,
} from '../db/retention-undo.repository.ts';
import type { StopKind } from '../domain/action-outcome.ts';
import type { AssetAction } from '../domain/action-names.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { undoDecision, undoVerdict } from '../domain/retention-undo.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';
import { withApplyLocks } from './retention-apply.ts';
import { assertExecutable, executeRun, runEndState, verifyInFlight, type ExecutorOptions } from './retention-executor.ts';
import type { RetentionDeps } from './retention-plan-assessment.ts';

export interface UndoRequest {
  runId: number;
  /** who asked: recorded as the undo run's started_by */
  startedBy: string;
  /** the adapter of a provider by name; asked for only once the run is known to be undoable */
  providerOf: (name: ProviderName) => AssetProvider;
}

export type UndoOutcome =
  /** nothing was recorded and no provider was contacted */
  | { kind: 'refused'; runId: number; reason: string }
  /** nothing left to undo: no new run recorded, no call made */
  | { kind: 'nothing'; runId: number; provider: ProviderName; reason: string }
  | {
      kind: 'undone';
      runId: number;
      provider: ProviderName;
      undoRunId: number;
      /** an interrupted undo of this run was finished */
      resumed: boolean;
      undoAction: AssetAction;
      counts: Record<ActionState, number>;
      stopped: { kind: StopKind; message: string } | null;
    };

interface Target {
  provider: ProviderName;
  undoAction: AssetAction;
}

type Checked = { ok: true; target: Target } | { ok: false; outcome: UndoOutcome };

async function checkTarget(deps: RetentionDeps, runId: number): Promise<Checked> {
  const refuse = (reason: string): Checked => ({ ok: false, outcome: { kind: 'refused', runId, reason } });
  const run = await findRun(createDb(deps.pool), runId);
  if (run === undefined) return refuse(`there is no retention run #${runId}`);
  const [provider] = run.providers;
  if (provider === undefined || run.providers.length !== 1) return refuse(`run #${runId} names no single provider: it cannot be undone`);
  const facts = (deps.providers ?? builtinProviderRegistry).facts(provider);
  if (facts === undefined) return refuse(`run #${runId} was at "${provider}", which is not a registered provider`);
  const { action, reversal } = facts.retention;
  const appliedCount = (await countActionsByState(deps.pool, runId)).applied;
  const verdict = undoVerdict({ id: runId, mode: run.mode, state: run.state, displayName: facts.displayName, action, reversal, applied: appliedCount });
  if (!verdict.ok) return refuse(verdict.reason);
  const applied = await appliedActionOf(deps.pool, runId);
  // the reversal is stated for the provider's retention action: a run that recorded another is not undone by it
  if (applied !== undefined && applied.action !== action) {
    return refuse(`run #${runId} did "${applied.action}", not ${facts.displayName}'s retention action ${action}: it cannot be undone`);
  }
  if (applied === undefined) return { ok: false, outcome: { kind: 'nothing', runId, provider, reason: `run #${runId} applied nothing: there is nothing to undo` } };
  return { ok: true, target: { provider, undoAction: verdict.undoAction } };
}

/** An interrupted undo's planned restores, checked again on the catalog as it is now (a sync may have run since). */
async function recheckPlanned(deps: RetentionDeps, undoRunId: number, runId: number, undoAction: AssetAction): Promise<void> {
  for (const planned of await loadPlannedUndoActions(deps.pool, undoRunId)) {
    const decision = undoDecision(planned.row, undoAction, runId);
    if (decision.state === 'skipped') await settleActions(deps.pool, [planned.id], { state: 'skipped', reason: `skipped when the undo resumed: ${decision.reason}` }, ['planned']);
  }
}

async function startUndoRun(deps: RetentionDeps, request: UndoRequest, target: Target, now: Date): Promise<number | UndoOutcome> {
  const { runId } = request;
  const candidates = await loadUndoCandidates(deps.pool, runId);
  if (candidates.length === 0) {
    const earlier = (await findUndoRuns(createDb(deps.pool), runId)).map((run) => `#${run.id}`);
    return { kind: 'nothing', runId, provider: target.provider, reason: `run #${runId} is already undone (by run ${earlier.join(', ')}): nothing left to restore` };
  }
  const decisions = candidates.map((c) => ({ assetId: c.assetId, rule: c.rule, decision: undoDecision(c.row, target.undoAction, runId) }));
  return insertUndoRun(
    deps.pool,
    { provider: target.provider, undoOfRunId: runId, startedBy: request.startedBy, evaluatedAt: now, undoAction: target.undoAction },
    decisions,
  );
}

export async function undoRetentionRun(deps: RetentionDeps, request: UndoRequest): Promise<UndoOutcome> {
  const { runId } = request;
  const checked = await checkTarget(deps, runId);
  if (!checked.ok) return checked.outcome;
  const { provider: name, undoAction } = checked.target;
  const log = deps.logger.child({ provider: name, component: 'retention', undoOf: runId });
  const clock = deps.clock ?? (() => new Date());
  const provider = request.providerOf(name);
  assertExecutable({ provider, action: undoAction, source: 'undo' });

  // the same locks as apply: an undo and an apply (or a sync rewriting the rows) never run at once
  return withApplyLocks(deps, name, log, async (assertLocksHeld) => {
    const unfinished = (await findUndoRuns(createDb(deps.pool), runId)).find((run) => run.state === 'applying');
    const executorOptions = (undoRunId: number): ExecutorOptions => ({
      pool: deps.pool,
      provider,
      runId: undoRunId,
      action: undoAction,
      source: 'undo',
      log,
      clock,
      signal: deps.signal,
      ...deps.executor,
      onProgress: (settled, total) => deps.onProgress?.(name, settled, total),
      assertMayAct: assertLocksHeld,
    });
    let undoRunId: number;
    if (unfinished !== undefined) {
      undoRunId = unfinished.id;
      log.warn({ undoRunId }, 'an earlier undo of this run did not finish: finishing it');
      const pending = await countActionsByState(deps.pool, undoRunId);
      await verifyInFlight(executorOptions(undoRunId), pending.planned + pending.in_flight);
      await recheckPlanned(deps, undoRunId, runId, undoAction);
    } else {
      const started = await startUndoRun(deps, request, checked.target, clock());
      if (typeof started !== 'number') return started;
      undoRunId = started;
      log.info({ undoRunId }, 'undo recorded; restoring');
    }
    const stopped = (await executeRun(executorOptions(undoRunId))).stopped ?? null;
    const counts = await countActionsByState(deps.pool, undoRunId);
    const state = runEndState(counts);
    await updateRun(createDb(deps.pool), undoRunId, { state, summary: { ...counts, stopped }, finishedAt: state === 'applying' ? null : clock() });
    return { kind: 'undone', runId, provider: name, undoRunId, resumed: unfinished !== undefined, undoAction, counts, stopped };
  });
}
