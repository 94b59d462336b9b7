/**
 * The workers of a process for the queues it chooses, on the handlers of their jobs, and the one way to stop them
 * that loses nothing. `start` runs them for every queue. A command that waits for its own jobs (`dag start --wait`,
 * `bulk --wait`) runs them for just those queues, so it makes progress whether or not a `start` worker is running
 * elsewhere (if one is, both take jobs).
 */
import type { AppContext } from '../app/context.ts';
import { createJobHandlers } from '../jobs/handlers/index.ts';
import type { QueueName } from '../jobs/job-definitions.ts';
import { createJobRegistry } from '../jobs/job-registry.ts';
import type { Queues } from '../jobs/queues.ts';
import { startWorkers, type WorkerSet } from '../jobs/workers.ts';

export interface CommandWorker {
  readonly workers: WorkerSet;
  /** parks what is running (handlers see the shutdown signal), then closes the workers */
  close(): Promise<void>;
}

export interface CommandWorkerOptions {
  concurrency?: Partial<Record<QueueName, number>>;
  /** the shutdown signal's reason, which a handler may report (retention logs it for a provider it had not started) */
  stopReason?: string;
}

export function startCommandWorker(
  context: AppContext,
  queues: Queues,
  queueNames: readonly QueueName[],
  options: CommandWorkerOptions = {},
): CommandWorker {
  const shutdown = new AbortController();
  const registry = createJobRegistry(createJobHandlers({ context, queues, shutdownSignal: shutdown.signal }), queueNames);
  const workers = startWorkers({
    connection: context.redis,
    prefix: context.config.queuePrefix,
    registry,
    logger: context.logger,
    health: context.health,
    queues: queueNames,
    concurrency: options.concurrency,
  });
  return {
    workers,
    async close() {
      // no job may start once the shutdown signal is raised: stop fetching first (without waiting for running ones)
      await Promise.all([...workers.workers.values()].map((worker) => worker.pause(true)));
      shutdown.abort(new DOMException(options.stopReason ?? 'the command is finishing', 'AbortError'));
      await workers.close();
    },
  };
}
