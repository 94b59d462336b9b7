/** What `retention apply` (with or without `--plan`) and `retention approve` print after acting, and their exit status. */
import type { AppContext } from '../app/context.ts';
import { createDb } from '../db/client.ts';
import { loadActions } from '../db/retention.repository.ts';
import type { ProviderApplyOutcome } from '../retention/retention-apply-result.ts';
import { applyFailed, applyTable } from '../retention/retention-format.ts';
import { describeFailure, EXIT_FAILED, EXIT_OK, type CommandIo } from './runtime.ts';

const FAILURES_SHOWN = 20;

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
      for (const action of failed.slice(0, FAILURES_SHOWN)) io.err(`${r.provider}: ${action.assetId} failed: ${action.error ?? 'unknown error'}`);
      if (failed.length > FAILURES_SHOWN) io.err(`${r.provider}: … and ${failed.length - FAILURES_SHOWN} more failures (see retention_log, run_id ${r.runId})`);
    }
  }
  return outcomes.some(applyFailed) ? EXIT_FAILED : EXIT_OK;
}
