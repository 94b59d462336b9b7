/**
 * One BullMQ worker per queue, each dispatching through the registry. Closing waits for active jobs; handlers
 * that run long watch `shutdownSignal` and park or finish early.
 */
import { Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import type { DependencyHealth } from '../health/dependency-health.ts';
import type { Logger } from '../logger.ts';
import { QUEUE_NAMES, type QueueName } from './job-definitions.ts';
import type { JobRegistry } from './job-registry.ts';

export interface WorkerSet {
  readonly workers: ReadonlyMap<QueueName, Worker>;
  close(): Promise<void>;
}

export interface WorkerOptions {
  connection: Redis;
  prefix: string;
  registry: JobRegistry;
  logger: Logger;
  /** a worker's 'error' events are Redis connection errors, mostly: they feed Redis's up/down state */
  health: DependencyHealth;
  concurrency?: Partial<Record<QueueName, number>>;
  /** run only these queues (a command running its own worker for its own jobs) */
  queues?: readonly QueueName[];
}

const DEFAULT_CONCURRENCY: Record<QueueName, number> = { sync: 4, retention: 1, dag: 4, bulk: 4, notify: 4 };

export function startWorkers(options: WorkerOptions): WorkerSet {
  const workers = new Map<QueueName, Worker>();
  for (const queue of options.queues ?? QUEUE_NAMES) {
    const worker = new Worker(queue, (job, token) => options.registry.dispatch(job, token), {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency?.[queue] ?? DEFAULT_CONCURRENCY[queue],
    });
    worker.on('failed', (job, error) =>
      options.logger.warn({ queue, job: job?.name, jobId: job?.id, attempts: job?.attemptsMade, err: error }, 'job failed'),
    );
    // one line per outage, not one per failed fetch; an error while Redis answers is logged as 'worker error'
    worker.on('error', (error) => options.health.reportFailure('redis', error, { message: 'worker error', fields: { queue } }));
    workers.set(queue, worker);
  }
  return {
    workers,
    async close() {
      await Promise.all([...workers.values()].map((worker) => worker.close()));
    },
  };
}
