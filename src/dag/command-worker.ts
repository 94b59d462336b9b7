/**
 * A command that waits for its own jobs (`dag start --wait`, `bulk --wait`) runs workers for just those queues,
 * so it makes progress whether or not a `start` worker is running elsewhere (if one is, both take jobs). Only
 * the handlers of the chosen queues are needed, and each of their jobs must have exactly one.
 */
import type { Job } from 'bullmq';
import type { AppContext } from '../app/context.ts';
import { createJobHandlers } from '../jobs/handlers/index.ts';
import { JOB_DEFINITIONS, JOB_NAMES, type QueueName } from '../jobs/job-definitions.ts';
import { JobRegistryError, type AnyJobHandler, type JobRegistry } from '../jobs/job-registry.ts';
import type { Queues } from '../jobs/queues.ts';
import { startWorkers, type WorkerSet } from '../jobs/workers.ts';

export interface CommandWorker {
  readonly workers: WorkerSet;
  /** parks what is running (handlers see the shutdown signal), then closes the workers */
  close(): Promise<void>;
}

export function registryForQueues(handlers: readonly AnyJobHandler[], queues: readonly QueueName[]): JobRegistry {
  const byName = new Map<string, AnyJobHandler>();
  const problems: string[] = [];
  for (const name of JOB_NAMES.filter((job) => queues.includes(JOB_DEFINITIONS[job].queue))) {
    const matching = handlers.filter((handler) => handler.name === name);
    if (matching.length !== 1) problems.push(`job "${name}" has ${matching.length} handlers`);
    else if (matching[0] !== undefined) byName.set(name, matching[0]);
  }
  if (problems.length > 0) throw new JobRegistryError(`job registry is incomplete: ${problems.join('; ')}`);
  return {
    dispatch(job: Job, token: string | undefined) {
      const handler = byName.get(job.name);
      if (handler === undefined) throw new JobRegistryError(`no handler for job "${job.name}" (id ${job.id}) on this worker`);
      return (handler.handle as (job: Job, token: string | undefined) => Promise<unknown>)(job, token);
    },
  };
}

export function startCommandWorker(
  context: AppContext,
  queues: Queues,
  queueNames: readonly QueueName[],
  concurrency?: Partial<Record<QueueName, number>>,
): CommandWorker {
  const shutdown = new AbortController();
  const registry = registryForQueues(createJobHandlers({ context, queues, shutdownSignal: shutdown.signal }), queueNames);
  const workers = startWorkers({
    connection: context.redis,
    prefix: context.config.queuePrefix,
    registry,
    logger: context.logger,
    queues: queueNames,
    ...(concurrency === undefined ? {} : { concurrency }),
  });
  return {
    workers,
    async close() {
      await Promise.all([...workers.workers.values()].map((worker) => worker.pause(true)));
      shutdown.abort(new DOMException('the command is finishing', 'AbortError'));
      await workers.close();
    },
  };
}
