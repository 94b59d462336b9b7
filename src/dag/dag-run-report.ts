/** How a DAG run reads on the command line: the provider's status verbatim, and what it meant. */
import type { DagRun } from '../db/dag-runs.repository.ts';

/** The contract's vocabulary: a run still 'starting' is 'running' to anyone reading (as in the dag_runs view). */
export function publicOutcome(outcome: string): string {
  return outcome === 'starting' ? 'running' : outcome;
}

export function formatDagRun(run: DagRun): string[] {
  const lines = [
    `dag run ${run.id}: asset ${run.assetId}, DAG action ${run.dagActionId}, provider run ${run.providerRunId ?? '(not known yet)'}`,
    `  status:   ${run.status ?? '-'}`,
    `  outcome:  ${publicOutcome(run.outcome)}`,
    `  started:  ${run.startedAt.toISOString()}   deadline: ${run.deadlineAt.toISOString()}`,
  ];
  if (run.finishedAt !== null) lines.push(`  finished: ${run.finishedAt.toISOString()}   polls: ${run.pollAttempts}`);
  else lines.push(`  polls:    ${run.pollAttempts}${run.nextPollAt === null ? '' : `, next at ${run.nextPollAt.toISOString()}`}`);
  const last = Array.isArray(run.messages) ? run.messages.at(-1) : undefined;
  const text = typeof last === 'object' && last !== null ? (last as { message?: unknown }).message : undefined;
  if (typeof text === 'string') lines.push(`  message:  ${text}`);
  if (run.error !== null) lines.push(`  error:    ${run.error}`);
  return lines;
}

export function describeProgress(run: DagRun): string {
  return `dag run ${run.id}: ${publicOutcome(run.outcome)}, status ${run.status ?? '-'} after ${run.pollAttempts} poll(s)`;
}
