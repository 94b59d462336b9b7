/**
 * BullMQ queues under QUEUE_PREFIX, and typed enqueueing: the payload type follows the job name.
 */
import { Queue, type JobsOptions } from 'bullmq';
import type { Redis } from 'ioredis';
import { JOB_DEFINITIONS, QUEUE_NAMES, type JobName, type JobPayloads, type QueueName } from './job-definitions.ts';

export type Queues = Readonly<Record<QueueName, Queue>>;

/** `shared`: queues already open on this connection and prefix, taken as they are (their owner closes them). */
export function createQueues(connection: Redis, prefix: string, shared: Partial<Record<QueueName, Queue>> = {}): Queues {
  const queues = {} as Record<QueueName, Queue>;
  for (const name of QUEUE_NAMES) queues[name] = shared[name] ?? new Queue(name, { connection, prefix });
  return queues;
}

export async function closeQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.close()));
}

/** Every job and key of the queues, whatever state the jobs are in (active ones of a dead process too). */
export async function obliterateQueues(queues: Queues): Promise<void> {
  await Promise.all(Object.values(queues).map((queue) => queue.obliterate({ force: true })));
}

/** A job's options: its definition's, with `overrides` on top. */
export function jobOptions(name: JobName, overrides: JobsOptions = {}): JobsOptions {
  return { ...JOB_DEFINITIONS[name].options, ...overrides };
}

export function enqueue<N extends JobName>(queues: Queues, name: N, data: JobPayloads[N], options: JobsOptions = {}) {
  return queues[JOB_DEFINITIONS[name].queue].add(name, data, jobOptions(name, options));
}
