/**
 * `bulk ACTION --provider P (--ids a,b,c | --ids-file FILE) [--action ID] [--wait]` records an operation and its
 * items, queues its chunk jobs and prints its id; `bulk status ID [--wait]` shows (or follows, resuming lost
 * jobs) an operation. With --wait the command runs its own workers for the jobs it waits on.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { followOperation, resumeOperation } from '../bulk/bulk-follow.ts';
import { describeOperation, formatCounts, formatOperationReport } from '../bulk/bulk-report.ts';
import { submitBulkOperation } from '../bulk/bulk-submit.ts';
import { failedItems, getOperation, itemCountsByState, outcomeCounts, type BulkOperation } from '../db/bulk.repository.ts';
import { jobWorkerDeps } from '../app/job-handlers/index.ts';
import { runQueueWorkers } from '../jobs/queue-workers.ts';
import { parseIdList, parseIdsFile, validateBulkRequest, BULK_ACTIONS } from '../domain/bulk-request.ts';
import { errorMessage } from '../errors.ts';
import { UsageError } from './usage-error.ts';
import type { QueueName } from '../jobs/job-definitions.ts';
import { closeQueues, createQueues, type Queues } from '../jobs/queues.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { joinAlternatives } from '../domain/provider-facts.ts';
import { builtinProviderRegistry, type ProviderRegistry } from '../providers/registry.ts';
import { EXIT_FAILED, EXIT_OK, runWithContext, type CommandIo } from './runtime.ts';

const FAILURES_SHOWN = 20;

interface BulkOptions {
  provider?: string;
  ids?: string;
  idsFile?: string;
  action?: string;
  wait?: boolean;
}

async function readIds(options: BulkOptions): Promise<string[]> {
  if (options.ids !== undefined && options.idsFile !== undefined) throw new UsageError('give either --ids or --ids-file, not both');
  if (options.ids !== undefined) return parseIdList(options.ids);
  if (options.idsFile === undefined) throw new UsageError('name the assets with --ids a,b,c or --ids-file FILE');
  let text: string;
  try {
    text = await readFile(options.idsFile, 'utf8');
  } catch (error) {
    throw new UsageError(`cannot read --ids-file ${options.idsFile}: ${errorMessage(error)}`);
  }
  return parseIdsFile(text, options.idsFile);
}

const queuesFor = (operation: BulkOperation): QueueName[] => (operation.action === 'dag' ? ['bulk', 'dag'] : ['bulk']);

async function printReport(context: AppContext, io: CommandIo, operationId: number): Promise<{ failed: number }> {
  const operation = await getOperation(context.db, operationId);
  if (operation === undefined) throw new Error(`bulk operation ${operationId} no longer exists`);
  const counts = await itemCountsByState(context.db, operationId);
  const lines = formatOperationReport(operation, await outcomeCounts(context.db, operationId), await failedItems(context.db, operationId, FAILURES_SHOWN), counts.failed);
  for (const line of lines) io.out(line);
  io.out('');
  io.out(`final counts: ${formatCounts(counts)}`);
  return { failed: counts.failed };
}

/** Follows the operation with workers of our own, with a progress bar on a terminal; exit 1 if any item failed. */
async function waitForOperation(context: AppContext, queues: Queues, io: CommandIo, operation: BulkOperation): Promise<number> {
  const worker = runQueueWorkers(jobWorkerDeps(context, queues), queuesFor(operation));
  const display = createProgressDisplay(io.interactive, io.err);
  const task = display.task(`bulk ${operation.id}`);
  try {
    const progress = await followOperation(
      {
        db: context.db,
        queues,
        signal: io.signal,
        onProgress: ({ settled, counts }) => task.update(settled, operation.total, `${counts.failed} failed`),
      },
      operation.id,
    );
    task.finish(formatCounts(progress.counts));
  } catch (error) {
    if (!io.signal.aborted) throw error;
    io.err(`stopped waiting; bulk operation ${operation.id} goes on: follow it with "asset-worker bulk status ${operation.id} --wait"`);
    return EXIT_FAILED;
  } finally {
    display.stop();
    await worker.close();
  }
  const { failed } = await printReport(context, io, operation.id);
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

/** "archive (a); trash, restore (b)": which provider offers which bulk action. */
function actionsByProvider(registry: ProviderRegistry): string {
  return registry.definitions.map((definition) => `${definition.bulkActions.join(', ')} (${definition.name})`).join('; ');
}

export function registerBulkCommand(program: Command, registry: ProviderRegistry = builtinProviderRegistry): void {
  program
    .command('bulk')
    .description(`queues a bulk operation (${BULK_ACTIONS.join(', ')}) and prints its id; "bulk status ID [--wait]" shows it later`)
    // `status` is an action-like word rather than a subcommand, so `--wait` after it is not taken by `bulk` itself
    .argument('<action>', `${actionsByProvider(registry)}; or "status"`)
    .argument('[operation]', 'with "status": the operation id printed by "bulk"')
    .option('--provider <name>', joinAlternatives(registry.names))
    .option('--ids <ids>', 'comma-separated asset ids')
    .option('--ids-file <file>', 'a file with one asset id per line (blank lines and # comments ignored)')
    .option('--action <id>', 'the DAG action id, for "bulk dag"')
    .option('--wait', 'show progress until every item has its outcome, then the final counts (exit 1 if any failed); with "status", also resume lost or failed jobs')
    .action((actionArg: string, operationArg: string | undefined, options: BulkOptions) =>
      runWithContext(async (context, io) => {
        if (actionArg === 'status') return showStatus(context, io, operationArg, options.wait === true);
        if (operationArg !== undefined) throw new UsageError(`unexpected argument "${operationArg}" (only "bulk status" takes an operation id)`);
        const request = validateBulkRequest(actionArg, options.provider, options.action, context.registry);
        const ids = await readIds(options);
        const queues = createQueues(context.redis, context.config.queuePrefix);
        try {
          const { operation, chunks, assets, duplicates } = await submitBulkOperation(context, queues, request, ids);
          io.out(
            `bulk operation ${operation.id} queued: ${request.action} of ${assets} assets at ${request.provider} in ${chunks} chunk(s)` +
              (duplicates > 0 ? `; ${duplicates} repeated id(s) skipped` : ''),
          );
          if (options.wait !== true) {
            io.err(`follow it with: asset-worker bulk status ${operation.id} --wait`);
            return EXIT_OK;
          }
          return await waitForOperation(context, queues, io, operation);
        } finally {
          await closeQueues(queues);
        }
      }),
    );
}

async function showStatus(context: AppContext, io: CommandIo, operationArg: string | undefined, wait: boolean): Promise<number> {
  if (operationArg === undefined || !/^\d+$/.test(operationArg)) {
    throw new UsageError(`"bulk status" needs an operation id (the number printed by "bulk")${operationArg === undefined ? '' : `, not "${operationArg}"`}`);
  }
  const operation = await getOperation(context.db, Number(operationArg));
  if (operation === undefined) throw new UsageError(`there is no bulk operation ${operationArg}`);
  if (!wait) {
    await printReport(context, io, operation.id);
    return EXIT_OK;
  }
  context.selectProviders([operation.provider]);
  const queues = createQueues(context.redis, context.config.queuePrefix);
  try {
    const resumed = await resumeOperation(context.db, queues, operation.id);
    if (resumed.chunks + resumed.polls > 0) io.err(`${describeOperation(operation)}: ${resumed.chunks} chunk job(s) and ${resumed.polls} poll job(s) queued again`);
    return await waitForOperation(context, queues, io, operation);
  } finally {
    await closeQueues(queues);
  }
}
