/**
 * Handlers are plain objects {name, handle}; the registry checks at boot that the list covers every job of
 * JOB_DEFINITIONS exactly once (or every job of the queues a worker runs), and dispatches a BullMQ job to its handler.
 */
import type { Job } from 'bullmq';
import { JOB_DEFINITIONS, JOB_NAMES, QUEUE_NAMES, type JobName, type JobPayloads, type QueueName } from './job-definitions.ts';

export interface JobHandler<N extends JobName = JobName> {
  readonly name: N;
  /** `token` is the worker's lock token, needed to park a job (moveToDelayed) */
  handle(job: Job<JobPayloads[N]>, token: string | undefined): Promise<unknown>;
}

export type AnyJobHandler = { [N in JobName]: JobHandler<N> }[JobName];

export class JobRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'JobRegistryError';
  }
}

export interface JobRegistry {
  dispatch(job: Job, token: string | undefined): Promise<unknown>;
}

/**
 * `queues`: a worker that runs only these needs (and takes) only the handlers of their jobs; the others in the
 * list are left out, so a test may hand in just the handlers it exercises.
 */
export function createJobRegistry(handlers: readonly AnyJobHandler[], queues: readonly QueueName[] = QUEUE_NAMES): JobRegistry {
  const jobs = JOB_NAMES.filter((name) => queues.includes(JOB_DEFINITIONS[name].queue));
  const byName = new Map<string, AnyJobHandler>();
  const problems: string[] = [];
  for (const handler of handlers) {
    if (!(JOB_NAMES as string[]).includes(handler.name)) problems.push(`handler for unknown job "${handler.name}"`);
    else if (!jobs.includes(handler.name)) continue;
    else if (byName.has(handler.name)) problems.push(`job "${handler.name}" has two handlers`);
    byName.set(handler.name, handler);
  }
  for (const name of jobs) if (!byName.has(name)) problems.push(`job "${name}" has no handler`);
  if (problems.length > 0) throw new JobRegistryError(`job registry is incomplete: ${problems.join('; ')}`);
  return {
    dispatch(job, token) {
      const handler = byName.get(job.name);
      if (handler === undefined) throw new JobRegistryError(`no handler for job "${job.name}" (id ${job.id})`);
      return (handler.handle as (job: Job, token: string | undefined) => Promise<unknown>)(job, token);
    },
  };
}
