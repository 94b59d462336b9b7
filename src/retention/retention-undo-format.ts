/** How an undo reads: one line per outcome for the command (and logs), and its JSON shape for scripts. */
import type { UndoOutcome } from './retention-undo.ts';

export function undoSummaryLine(outcome: UndoOutcome): string {
  switch (outcome.kind) {
    case 'refused':
      return `retention undo of run #${outcome.runId}: refused, nothing done: ${outcome.reason}`;
    case 'nothing':
      return `retention undo of run #${outcome.runId} (${outcome.provider}): nothing to do: ${outcome.reason}`;
    case 'undone': {
      const { counts } = outcome;
      const run = `run #${outcome.undoRunId}${outcome.resumed ? ' (resumed an interrupted undo)' : ''}`;
      const left = counts.planned + counts.in_flight;
      const stopped = outcome.stopped === null ? '' : `; stopped: ${outcome.stopped.message}`;
      return (
        `retention undo of run #${outcome.runId} (${outcome.provider}) ${run}: ${outcome.undoAction} applied ${counts.applied}, ` +
        `failed ${counts.failed}, skipped ${counts.skipped}${left > 0 ? `, left ${left}` : ''}${stopped}`
      );
    }
  }
}

/** Exit 1 when the undo was refused or did not restore everything it set out to. */
export function undoFailed(outcome: UndoOutcome): boolean {
  if (outcome.kind === 'refused') return true;
  if (outcome.kind === 'nothing') return false;
  return outcome.counts.failed > 0 || outcome.counts.planned + outcome.counts.in_flight > 0 || outcome.stopped !== null;
}

export function undoJson(outcome: UndoOutcome): unknown {
  switch (outcome.kind) {
    case 'refused':
      return { runId: outcome.runId, result: 'refused', reason: outcome.reason };
    case 'nothing':
      return { runId: outcome.runId, provider: outcome.provider, result: 'nothing', reason: outcome.reason };
    case 'undone':
      return {
        runId: outcome.runId,
        provider: outcome.provider,
        result: undoFailed(outcome) ? 'incomplete' : 'done',
        undoRunId: outcome.undoRunId,
        resumed: outcome.resumed,
        action: outcome.undoAction,
        counts: outcome.counts,
        stopped: outcome.stopped,
      };
  }
}
