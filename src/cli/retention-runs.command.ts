/** `retention runs` (recent runs with their counts) and `retention show RUN` (one run with its actions). */
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import type { ActionState, RetentionActionRow } from '../db/retention.repository.ts';
import { findRun, listRuns, loadRunActions, type ActionCounts } from '../db/retention-runs.repository.ts';
import { runsJson, runsTable, showJson, showText } from '../retention/retention-runs.format.ts';
import { InvalidRequestError } from '../errors.ts';
import { EXIT_OK, runWithContext, type CommandIo } from './runtime.ts';
import { parseRunId } from './retention-reviewed.command.ts';
import { UsageError } from './usage-error.ts';

const MAX_LIMIT = 1_000;

function parseLimit(value: string): number {
  const limit = Number(value);
  if (!/^[0-9]+$/.test(value.trim()) || limit < 1 || limit > MAX_LIMIT) throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT} (got ${JSON.stringify(value)})`);
  return limit;
}

/** The run's actions counted by state, every state present (0 when none). */
function countByState(actions: readonly RetentionActionRow[]): ActionCounts {
  const counts: ActionCounts = { planned: 0, in_flight: 0, applied: 0, failed: 0, skipped: 0 };
  for (const action of actions) {
    const state = action.state as ActionState;
    counts[state] = (counts[state] ?? 0) + 1;
  }
  return counts;
}

async function runs(context: AppContext, io: CommandIo, options: { provider?: string; limit: string; json?: boolean }): Promise<number> {
  // an unknown name is an UnknownProviderError (exit 2) naming the known providers
  if (options.provider !== undefined) context.registry.require(options.provider);
  const found = await listRuns(context.db, context.pool, { provider: options.provider, limit: parseLimit(options.limit) });
  io.out(options.json === true ? JSON.stringify(runsJson(found), null, 2) : runsTable(found));
  return EXIT_OK;
}

async function show(context: AppContext, io: CommandIo, run: string, options: { json?: boolean }): Promise<number> {
  const runId = parseRunId(run);
  const found = await findRun(context.db, runId);
  if (found === undefined) throw new InvalidRequestError(`there is no retention run #${runId}`);
  const actions = await loadRunActions(context.db, runId);
  const counts = countByState(actions);
  io.out(options.json === true ? JSON.stringify(showJson(found, counts, actions), null, 2) : showText(found, counts, actions));
  return EXIT_OK;
}

export function registerRetentionRunsCommands(retention: Command): void {
  retention
    .command('runs')
    .description('lists recent retention runs, newest first: kind, state, actions by state, refusal, who started it, when')
    .option('--provider <name>', 'only runs of this provider')
    .option('--limit <n>', 'at most this many runs', '20')
    .option('--json', 'print the runs as JSON')
    .action((options: { provider?: string; limit: string; json?: boolean }) => runWithContext((context, io) => runs(context, io, options)));
  retention
    .command('show')
    .argument('<run>', 'the run number (see retention runs)')
    .description("shows one retention run and each of its actions with its outcome")
    .option('--json', 'print the run as JSON')
    .action((run: string, options: { json?: boolean }) => runWithContext((context, io) => show(context, io, run, options)));
}
