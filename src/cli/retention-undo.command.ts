/** `retention undo RUN`: reverses an apply run where its provider can (src/retention/retention-undo.ts). */
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { createDb } from '../db/client.ts';
import { loadActions } from '../db/retention.repository.ts';
import { undoRetentionRun } from '../retention/retention-undo.ts';
import { undoFailed, undoJson, undoSummaryLine } from '../retention/retention-undo-format.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { EXIT_FAILED, EXIT_OK, requireProviders, runWithContext, type CommandIo } from './runtime.ts';
import { parseRunId } from './retention-reviewed.command.ts';
import { actionLines } from './retention-apply-report.ts';
import { joinAll } from '../domain/provider-facts.ts';
import { builtinProviderRegistry, type ProviderRegistry } from '../providers/registry.ts';

async function undo(context: AppContext, io: CommandIo, runText: string, options: { json?: boolean }): Promise<number> {
  const runId = parseRunId(runText);
  const display = createProgressDisplay(io.interactive && options.json !== true, io.err);
  const task = display.task(`undo #${runId}`);
  const outcome = await undoRetentionRun(
    {
      pool: context.pool,
      logger: context.logger,
      signal: io.signal,
      providers: context.registry,
      onProgress: (_provider, settled, total) => task.update(settled, total, 'restores settled'),
    },
    { runId, startedBy: 'cli', providerOf: (name) => requireProviders(context, [name])[0]!.provider },
  );
  task.finish(outcome.kind);
  display.stop();
  if (options.json === true) io.out(JSON.stringify(undoJson(outcome), null, 2));
  else io.out(undoSummaryLine(outcome));
  if (outcome.kind === 'undone') {
    // what was left alone, and what failed, with the reasons
    const db = createDb(context.pool);
    for (const state of ['skipped', 'failed'] as const) {
      const rows = await loadActions(db, outcome.undoRunId, [state]);
      const lines = actionLines(outcome.provider, outcome.undoRunId, rows, state, (row) => `${row.assetId} ${state}: ${state === 'failed' ? (row.error ?? 'unknown error') : row.reason}`);
      for (const line of lines) io.err(line);
    }
    if (outcome.counts.planned + outcome.counts.in_flight > 0) io.err(`run retention undo ${runId} again to finish undo run #${outcome.undoRunId}`);
  }
  return undoFailed(outcome) ? EXIT_FAILED : EXIT_OK;
}

/** "Media Pocket trash (restore)" and "Roughy delete, Affogato archive", from the registered providers' facts. */
function reversalHelp(registry: ProviderRegistry): { reversible: string; irreversible: string } {
  const words = (kind: 'reversible' | 'irreversible') =>
    registry.definitions
      .filter((d) => d.retention.reversal.kind === kind)
      .map((d) => (d.retention.reversal.kind === 'reversible' ? `${d.displayName} ${d.retention.action} (${d.retention.reversal.undoAction})` : `${d.displayName} ${d.retention.action}`));
  return { reversible: joinAll(words('reversible')) || 'none', irreversible: joinAll(words('irreversible')) || 'none' };
}

export function registerRetentionUndoCommand(retention: Command, registry: ProviderRegistry = builtinProviderRegistry): void {
  const help = reversalHelp(registry);
  retention
    .command('undo')
    .argument('<RUN>', 'the id of the apply run to undo (as retention apply printed it)')
    .summary('reverses what an apply run did, where the provider can; refuses irreversible runs')
    .description(
      `reverses what apply run RUN did where its provider can: ${help.reversible}, for every asset the run acted on ` +
        'that is still in the state it left it in (the rest are skipped with the reason). The undo is recorded as a ' +
        'run of its own; run again, it finishes an interrupted undo without restoring anything twice, and does ' +
        `nothing once the run is undone. Refuses (exit 1, no call made): ${help.irreversible} (irreversible), plans, ` +
        'undo runs, unfinished or refused applies, unknown runs',
    )
    .option('--json', 'print the outcome as JSON')
    .action((run: string, options: { json?: boolean }) => runWithContext((context, io) => undo(context, io, run, options)));
}
