/**
 * How plans and apply results read: tables for the command, one summary line per provider for logs, and the
 * plan's JSON shape (stable keys) for scripts.
 */
import { formatTable } from '../util/text-table.ts';
import { errorMessage } from '../errors.ts';
import type { ProviderApplyOutcome, ProviderApplyResult } from './retention-apply-result.ts';
import type { ProviderPlan } from './retention-plan.ts';
import type { RetentionDecision } from '../domain/retention-evaluate.ts';

/** A planned action's undo column: whether `retention undo` can take it back; '-' where nothing will be done. */
function undoWord(plan: ProviderPlan, decision: RetentionDecision): string {
  return decision.state === 'planned' ? plan.reversal.kind : '-';
}

function reversalSummary(plan: ProviderPlan): string {
  return plan.reversal.kind === 'reversible' ? `reversible (${plan.reversal.undoAction})` : 'irreversible';
}

export function planTable(plans: readonly ProviderPlan[]): string {
  const rows = plans.flatMap((plan) => plan.decisions.map((d) => [plan.provider, d.assetId, d.rule, d.action, d.state, d.reason, undoWord(plan, d)]));
  return formatTable(['provider', 'asset_id', 'rule', 'action', 'state', 'reason', 'undo'], rows);
}

export function planSummaryTable(plans: readonly ProviderPlan[]): string {
  return formatTable(
    ['provider', 'run', 'live', 'candidates', 'planned', 'skipped', 'apply would', 'undo'],
    plans.map((plan) => [
      plan.provider,
      plan.runId === null ? '-' : `#${plan.runId}`,
      plan.liveAssets,
      plan.candidates,
      plan.planned,
      plan.skipped,
      plan.runId === null ? '-' : plan.applyVerdict.ok ? 'proceed' : `refuse (${plan.applyVerdict.limit})`,
      reversalSummary(plan),
    ]),
  );
}

/** Whether the planned actions can be taken back: irreversible ones said loudly, reversible ones with how. */
function reversalRemark(plan: ProviderPlan): string[] {
  if (plan.planned === 0) return [];
  const actions = `${plan.planned} planned ${plan.decisions.find((d) => d.state === 'planned')?.action ?? 'retention'} action(s)`;
  if (plan.reversal.kind === 'irreversible') return [`${plan.provider}: IRREVERSIBLE: ${actions} cannot be undone: ${plan.reversal.why}`];
  return [`${plan.provider}: reversible: ${actions} can be undone after apply with retention undo RUN (${plan.reversal.how})`];
}

/** Lines that explain the summary: refusals with their numbers, interrupted runs, what cannot be undone, notes. */
export function planRemarks(plans: readonly ProviderPlan[]): string[] {
  return plans.flatMap((plan) => [
    ...reversalRemark(plan),
    ...(plan.runId !== null && !plan.applyVerdict.ok ? [`${plan.provider}: apply would refuse: ${plan.applyVerdict.reason}`] : []),
    ...(plan.unfinishedRun === null
      ? []
      : [`${plan.provider}: apply run #${plan.unfinishedRun.runId} was interrupted with ${plan.unfinishedRun.pending} actions left; the next apply finishes it first`]),
    ...plan.notes.map((note) => `${plan.provider}: note: ${note}`),
  ]);
}

export function planJson(plans: readonly ProviderPlan[], rulesFile: string): unknown {
  return {
    rulesFile,
    providers: plans.map((plan) => ({
      provider: plan.provider,
      runId: plan.runId,
      evaluatedAt: plan.evaluatedAt.toISOString(),
      liveAssets: plan.liveAssets,
      candidates: plan.candidates,
      planned: plan.planned,
      skipped: plan.skipped,
      apply: plan.applyVerdict.ok ? { wouldRefuse: false } : { wouldRefuse: true, limit: plan.applyVerdict.limit, reason: plan.applyVerdict.reason },
      unfinishedRun: plan.unfinishedRun,
      notes: plan.notes,
      reversal: plan.reversal.kind === 'reversible' ? { reversible: true, undoAction: plan.reversal.undoAction, how: plan.reversal.how } : { reversible: false, why: plan.reversal.why },
      actions: plan.decisions.map((d) => ({
        assetId: d.assetId,
        rule: d.rule,
        action: d.action,
        state: d.state,
        reason: d.reason,
        alsoMatched: d.alsoMatched,
        undo: d.state === 'planned' ? plan.reversal.kind : null,
      })),
    })),
  };
}

function resultWord(result: ProviderApplyResult): string {
  if (result.refused !== null) return `refused (${result.refused.limit})`;
  if (result.runId === null) return 'nothing to do';
  if (result.stopped !== null) return `stopped (${result.stopped.kind})`;
  return result.failed > 0 ? 'done with failures' : 'done';
}

export function applyTable(outcomes: readonly ProviderApplyOutcome[]): string {
  return formatTable(
    ['provider', 'run', 'planned', 'applied', 'failed', 'skipped', 'left', 'result'],
    outcomes.map((outcome) => {
      if ('error' in outcome) return [outcome.provider, '-', null, null, null, null, null, 'error'];
      const r = outcome.result;
      const run = r.runId === null ? '-' : `#${r.runId}${r.resumed ? ' (resumed)' : ''}`;
      return [r.provider, run, r.planned, r.applied, r.failed, r.skipped, r.pending, resultWord(r)];
    }),
  );
}

/** One line per provider: planned, applied, failed, skipped, refused and why. */
export function applySummaryLine(outcome: ProviderApplyOutcome): string {
  if ('error' in outcome) return `retention ${outcome.provider}: error: ${errorMessage(outcome.error)}`;
  const r = outcome.result;
  if (r.runId === null) return `retention ${r.provider}: nothing to do (${r.notes.join('; ')})`;
  const run = `run #${r.runId}${r.resumed ? ' (resumed an interrupted apply)' : ''}`;
  const refused = r.refused === null ? 'refused no' : `refused yes: ${r.refused.reason}`;
  const stopped = r.stopped === null ? '' : `; stopped: ${r.stopped.message}`;
  const left = r.pending > 0 ? `, left for the next apply ${r.pending}` : '';
  return `retention ${r.provider} ${run}: planned ${r.planned}, applied ${r.applied}, failed ${r.failed}, skipped ${r.skipped}${left}, ${refused}${stopped}`;
}

export function applyFailed(outcome: ProviderApplyOutcome): boolean {
  if ('error' in outcome) return true;
  const r = outcome.result;
  return r.refused !== null || r.failed > 0 || r.stopped !== null || r.pending > 0;
}
