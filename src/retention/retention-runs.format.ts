/**
 * How retention runs read for operators: `retention runs` (a table or JSON), `retention show RUN` (one run and its
 * actions), and the drift and outcome of a reviewed plan's apply (`apply --plan`, `approve`).
 */
import { ACTION_STATES, type RetentionActionRow, type RetentionRun } from '../db/retention.repository.ts';
import type { ActionCounts, RunWithCounts } from '../db/retention-runs.repository.ts';
import type { PlanDrift } from '../domain/retention-drift.ts';
import { formatTable } from '../util/text-table.ts';
import type { ReviewedApplyOutcome } from './retention-reviewed-apply.ts';

const iso = (at: Date | null) => (at === null ? null : at.toISOString());

function countsText(counts: ActionCounts): string {
  const parts = ACTION_STATES.filter((state) => counts[state] > 0).map((state) => `${state} ${counts[state]}`);
  return parts.length === 0 ? '-' : parts.join(', ');
}

function kindOf(run: RetentionRun): string {
  if (run.planRunId !== null) return `${run.mode} of #${run.planRunId}`;
  if (run.undoOfRunId !== null) return `${run.mode} of #${run.undoOfRunId}`;
  return run.mode;
}

function runJson(run: RetentionRun): Record<string, unknown> {
  return {
    id: run.id,
    mode: run.mode,
    providers: run.providers,
    state: run.state,
    refusal: run.refusal,
    startedBy: run.startedBy,
    planRunId: run.planRunId,
    undoOfRunId: run.undoOfRunId,
    evaluatedAt: iso(run.evaluatedAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    expiresAt: iso(run.expiresAt),
    approvedAt: iso(run.approvedAt),
    approvedBy: run.approvedBy,
  };
}

export function runsTable(runs: readonly RunWithCounts[]): string {
  if (runs.length === 0) return 'no retention runs recorded';
  return formatTable(
    ['run', 'kind', 'provider', 'state', 'actions', 'started_by', 'started', 'finished', 'refusal'],
    runs.map(({ run, counts }) => [
      `#${run.id}`,
      kindOf(run),
      run.providers.join(','),
      run.state,
      countsText(counts),
      run.startedBy ?? '-',
      run.startedAt.toISOString(),
      run.finishedAt?.toISOString() ?? '-',
      run.refusal ?? '',
    ]),
  );
}

export function runsJson(runs: readonly RunWithCounts[]): unknown {
  return { runs: runs.map(({ run, counts }) => ({ ...runJson(run), counts })) };
}

/** One run: its facts, its counts, then every action with its outcome. */
export function showText(run: RetentionRun, counts: ActionCounts, actions: readonly RetentionActionRow[]): string {
  const facts: Array<[string, string | null]> = [
    ['run', `#${run.id} ${kindOf(run)}`],
    ['provider', run.providers.join(',')],
    ['state', run.state],
    ['refusal', run.refusal],
    ['started_by', run.startedBy],
    ['evaluated', iso(run.evaluatedAt)],
    ['started', iso(run.startedAt)],
    ['finished', iso(run.finishedAt)],
    ['expires', iso(run.expiresAt)],
    ['approved', run.approvedAt === null ? null : `${run.approvedAt.toISOString()} by ${run.approvedBy ?? '?'}`],
    ['actions', countsText(counts)],
  ];
  const header = facts.filter(([, value]) => value !== null).map(([name, value]) => `${name}: ${value ?? ''}`);
  if (actions.length === 0) return [...header, '', 'no actions recorded'].join('\n');
  const table = formatTable(
    ['asset_id', 'rule', 'action', 'state', 'applied_at', 'reason / error'],
    actions.map((a) => [a.assetId, a.rule, a.action, a.state, a.appliedAt?.toISOString() ?? '-', a.error === null ? a.reason : `${a.error} (${a.reason})`]),
  );
  return [...header, '', table].join('\n');
}

export function showJson(run: RetentionRun, counts: ActionCounts, actions: readonly RetentionActionRow[]): unknown {
  return {
    ...runJson(run),
    summary: run.summary,
    counts,
    actions: actions.map((a) => ({
      assetId: a.assetId,
      rule: a.rule,
      action: a.action,
      state: a.state,
      reason: a.reason,
      decidedAt: iso(a.decidedAt),
      appliedAt: iso(a.appliedAt),
      attempts: a.attempts,
      error: a.error,
    })),
  };
}

/** The re-check of a reviewed plan: how many actions are kept, and each dropped one with why. */
export function driftLines(planRunId: number, drift: PlanDrift): string[] {
  const total = drift.kept.length + drift.dropped.length;
  const lines = [`plan #${planRunId} re-checked against the current catalog and rules: ${total} planned, ${drift.kept.length} kept, ${drift.dropped.length} dropped`];
  if (drift.dropped.length > 0) {
    lines.push(
      formatTable(
        ['dropped asset_id', 'rule', 'why'],
        drift.dropped.map(({ planned, why }) => [planned.assetId, planned.rule, why]),
      ),
    );
  }
  return lines;
}

/** What a reviewed apply did, for stderr when it did not simply apply. */
export function reviewedOutcomeLines(outcome: ReviewedApplyOutcome): string[] {
  const { plan } = outcome;
  const notes = plan.rulesChanged ? [`note: the rules file changed since plan #${plan.planRunId} was made; actions were re-checked against the current rules`] : [];
  switch (outcome.kind) {
    case 'applied':
      return notes;
    case 'resumed':
      return [...notes, `plan #${plan.planRunId}: finished its interrupted apply run #${outcome.result.runId ?? '?'}`];
    case 'already_applied':
      return [...notes, `plan #${plan.planRunId} was already applied by run #${outcome.runId} (${outcome.state}): nothing done`];
    case 'refused':
      return [...notes, `${plan.provider}: plan #${plan.planRunId} refused, nothing done: ${outcome.reason}`];
  }
}

/** A reviewed apply's outcome as JSON (the admin approve endpoint answers with it). */
export function reviewedOutcomeJson(outcome: ReviewedApplyOutcome): Record<string, unknown> {
  const plan = { planRunId: outcome.plan.planRunId, provider: outcome.plan.provider, plannedAt: outcome.plan.plannedAt.toISOString(), rulesChanged: outcome.plan.rulesChanged };
  const drift = (d: PlanDrift | null) =>
    d === null ? null : { kept: d.kept.length, dropped: d.dropped.map(({ planned, kind, why }) => ({ assetId: planned.assetId, rule: planned.rule, kind, why })) };
  switch (outcome.kind) {
    case 'applied':
    case 'resumed': {
      const r = outcome.result;
      return {
        outcome: outcome.kind,
        plan,
        ...(outcome.kind === 'applied' ? { drift: drift(outcome.drift) } : {}),
        run: { runId: r.runId, planned: r.planned, applied: r.applied, failed: r.failed, skipped: r.skipped, pending: r.pending, refused: r.refused, stopped: r.stopped },
      };
    }
    case 'already_applied':
      return { outcome: outcome.kind, plan, runId: outcome.runId, state: outcome.state };
    case 'refused':
      return { outcome: outcome.kind, plan, runId: outcome.runId, limit: outcome.limit, reason: outcome.reason, drift: drift(outcome.drift) };
  }
}
