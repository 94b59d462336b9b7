/**
 * The workers of a process for the queues it chooses, on the handlers of their jobs, and the one way to stop them
 * that loses nothing. `start` runs them for every queue. A command that waits for its own jobs (`dag start --wait`,
 * `bulk --wait`) runs them for just those queues, so it makes progress whether or not a `start` worker is running
 * elsewhere (if one is, both take jobs).
 */
import type { Redis } from 'ioredis';
import type { DependencyHealth } from '../health/dependency-health.ts';
import type { Logger } from '../logger.ts';
import type { QueueName } from './job-definitions.ts';
import { createJobRegistry, type AnyJobHandler } from './job-registry.ts';
import { startWorkers, type WorkerSet } from './workers.ts';

export interface QueueWorkers {
  readonly workers: WorkerSet;
  /** parks what is running (handlers see the shutdown signal), then closes the workers */
  close(): Promise<void>;
}

/** What the workers need from the process: its Redis, queue prefix, logger, health, and its job handlers. */
export interface QueueWorkersDeps {
  connection: Redis;
  prefix: string;
  logger: Logger;
  health: DependencyHealth;
  /** every job handler, built on the signal that tells long handlers to commit and park */
  createHandlers(shutdownSignal: AbortSignal): AnyJobHandler[];
}

export interface QueueWorkersOptions {
  concurrency?: Partial<Record<QueueName, number>>;
  /** the shutdown signal's reason, which a handler may report (retention logs it for a provider it had not started) */
  stopReason?: string;
}

export function runQueueWorkers(deps: QueueWorkersDeps, queueNames: readonly QueueName[], options: QueueWorkersOptions = {}): QueueWorkers {
  const shutdown = new AbortController();
  const registry = createJobRegistry(deps.createHandlers(shutdown.signal), queueNames);
  const workers = startWorkers({
    connection: deps.connection,
    prefix: deps.prefix,
    registry,
    logger: deps.logger,
    health: deps.health,
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
