/**
 * What `retention apply` (with or without `--plan`) and `retention approve` print after acting, and their exit status;
 * `retention undo` lists its skipped and failed actions the same way (actionLines).
 */
import type { AppContext } from '../app/context.ts';
import { createDb } from '../db/client.ts';
import { loadActions, type RetentionActionRow } from '../db/retention.repository.ts';
import type { ProviderApplyOutcome } from '../retention/retention-apply-result.ts';
import { applyFailed, applyTable } from '../retention/retention-format.ts';
import { describeFailure, EXIT_FAILED, EXIT_OK, type CommandIo } from './runtime.ts';

const LINES_SHOWN = 20;

/**
 * One line per action of run `runId` at `provider` (the first 20), then "… and N more <what>" pointing at the
 * rest in retention_log.
 */
export function actionLines(provider: string, runId: number, actions: readonly RetentionActionRow[], what: string, line: (action: RetentionActionRow) => string): string[] {
  const lines = actions.slice(0, LINES_SHOWN).map((action) => `${provider}: ${line(action)}`);
  if (actions.length > LINES_SHOWN) lines.push(`${provider}: … and ${actions.length - LINES_SHOWN} more ${what} (see retention_log, run_id ${runId})`);
  return lines;
}

export async function reportApplyOutcomes(context: AppContext, io: CommandIo, outcomes: readonly ProviderApplyOutcome[]): Promise<number> {
  io.out(applyTable(outcomes));
  const db = createDb(context.pool);
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      io.err(`${outcome.provider}: ${describeFailure(outcome.error)}`);
      continue;
    }
    const r = outcome.result;
    for (const note of r.notes) io.err(`${r.provider}: note: ${note}`);
    if (r.refused !== null) io.err(`${r.provider}: refused, nothing done: ${r.refused.reason}`);
    if (r.stopped !== null) io.err(`${r.provider}: stopped: ${r.stopped.message}`);
    if (r.pending > 0) io.err(`${r.provider}: ${r.pending} actions left; run retention apply again to finish run #${r.runId}`);
    if (r.failed > 0 && r.runId !== null) {
      const failed = await loadActions(db, r.runId, ['failed']);
      for (const line of actionLines(r.provider, r.runId, failed, 'failures', (action) => `${action.assetId} failed: ${action.error ?? 'unknown error'}`)) io.err(line);
    }
  }
  return outcomes.some(applyFailed) ? EXIT_FAILED : EXIT_OK;
}
