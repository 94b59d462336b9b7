/**
 * `dag start --asset ID --action ID [--wait] [--timeout D]` and `dag status RUN [--wait]`. With --wait the
 * command runs its own worker for the 'dag' queue while it follows the run, so it finishes whether or not a
 * `start` worker is running.
 */
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { jobWorkerDeps } from '../app/job-handlers/index.ts';
import { runQueueWorkers } from '../jobs/queue-workers.ts';
import { ensurePollJobIfOpen } from '../jobs/dag-poll-jobs.ts';
import { describeProgress, formatDagRun, publicOutcome } from '../dag/dag-run-report.ts';
import { followDagRun } from '../dag/dag-run-follow.ts';
import { describeStartFailure } from '../dag/dag-run-starter.ts';
import { dagActionsOf, startDagRun } from '../dag/start-dag-run.ts';
import { getDagRun, type DagRun } from '../db/dag-runs.repository.ts';
import { isValidId } from '../domain/bulk-request.ts';
import { DEFAULT_DAG_TIMEOUT_MS, isOpenOutcome, parseDuration } from '../domain/dag-poll-policy.ts';
import { UsageError } from './usage-error.ts';
import { closeQueues, createQueues, type Queues } from '../jobs/queues.ts';
import { EXIT_FAILED, EXIT_OK, runWithContext, type CommandIo } from './runtime.ts';

function requireId(value: string, what: string): string {
  if (!isValidId(value)) throw new UsageError(`${what} "${value}" is not a valid id`);
  return value;
}

/** Follows the run to its end with a worker of our own; exit 0 only if it succeeded. */
async function waitForRun(context: AppContext, queues: Queues, io: CommandIo, run: DagRun): Promise<number> {
  const worker = runQueueWorkers(jobWorkerDeps(context, queues), ['dag']);
  try {
    const final = await followDagRun(
      { db: context.db, queues, signal: io.signal, onChange: (changed) => isOpenOutcome(changed.outcome) && io.err(describeProgress(changed)) },
      run.id,
    );
    for (const line of formatDagRun(final)) io.out(line);
    return final.outcome === 'succeeded' ? EXIT_OK : EXIT_FAILED;
  } catch (error) {
    if (!io.signal.aborted) throw error;
    io.err(`stopped following; dag run ${run.id} goes on: follow it with "asset-worker dag status ${run.id} --wait"`);
    return EXIT_FAILED;
  } finally {
    await worker.close();
  }
}

export function registerDagCommand(program: Command): void {
  const dag = program.command('dag').description('Media Pocket DAG action runs: start one, follow it to its end');

  dag
    .command('start')
    .description('starts a DAG action run on an asset; with --wait, polls it to the end and prints its final status (exit 1 unless it succeeded)')
    .requiredOption('--asset <id>', 'the Media Pocket asset id')
    .requiredOption('--action <id>', 'the DAG action id')
    .option('--wait', 'follow the run to its end')
    .option('--timeout <duration>', 'deadline of the run, e.g. 90s, 30m, 2h (default 30m): still running then, it ends timed_out')
    .action((options: { asset: string; action: string; wait?: boolean; timeout?: string }) =>
      runWithContext(async (context, io) => {
        const assetId = requireId(options.asset, '--asset');
        const dagActionId = requireId(options.action, '--action');
        const timeoutMs = options.timeout === undefined ? DEFAULT_DAG_TIMEOUT_MS : parseDuration(options.timeout);
        if (timeoutMs === undefined) throw new UsageError(`--timeout "${options.timeout}" is not a duration such as 90s, 30m or 2h`);
        const dagActions = dagActionsOf(context);
        const queues = createQueues(context.redis, context.config.queuePrefix);
        try {
          const { run, error } = await startDagRun(context, queues, dagActions, { assetId, dagActionId, timeoutMs });
          if (error !== undefined && !isOpenOutcome(run.outcome)) {
            io.err(`asset-worker: ${describeStartFailure(error)}`);
            for (const line of formatDagRun(run)) io.out(line);
            return EXIT_FAILED;
          }
          if (error !== undefined) {
            io.err(`the start call failed (${error.message}); dag run ${run.id} will be checked against the provider's list of runs`);
          } else {
            io.out(`dag run ${run.id} started (provider run ${run.providerRunId ?? '?'}, status ${run.status ?? '-'}, ${publicOutcome(run.outcome)})`);
          }
          if (options.wait !== true) return error === undefined ? EXIT_OK : EXIT_FAILED;
          return await waitForRun(context, queues, io, run);
        } finally {
          await closeQueues(queues);
        }
      }),
    );

  dag
    .command('status')
    .description('shows a DAG action run; with --wait, follows it to its end (exit 1 unless it succeeded)')
    .argument('<run>', 'the run id printed by "dag start"')
    .option('--wait', 'follow the run to its end')
    .action((runArg: string, options: { wait?: boolean }) =>
      runWithContext(async (context, io) => {
        if (!/^\d+$/.test(runArg)) throw new UsageError(`"${runArg}" is not a run id (a number printed by "dag start")`);
        const run = await getDagRun(context.db, Number(runArg));
        if (run === undefined) throw new UsageError(`there is no dag run ${runArg}`);
        if (options.wait !== true || !isOpenOutcome(run.outcome)) {
          for (const line of formatDagRun(run)) io.out(line);
          return options.wait === true && run.outcome !== 'succeeded' ? EXIT_FAILED : EXIT_OK;
        }
        dagActionsOf(context);
        const queues = createQueues(context.redis, context.config.queuePrefix);
        try {
          // a resume: the run's poll job may have been lost with the process that followed it before
          await ensurePollJobIfOpen(queues, run);
          return await waitForRun(context, queues, io, run);
        } finally {
          await closeQueues(queues);
        }
      }),
    );
}
