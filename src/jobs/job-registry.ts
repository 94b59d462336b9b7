/**
 * Handlers are plain objects {name, handle}; the registry checks at boot that the list covers every job of
 * JOB_DEFINITIONS exactly once, and dispatches a BullMQ job to its handler.
 */
import type { Job } from 'bullmq';
import { JOB_NAMES, type JobName, type JobPayloads } from './job-definitions.ts';

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

export function createJobRegistry(handlers: readonly AnyJobHandler[]): JobRegistry {
  const byName = new Map<string, AnyJobHandler>();
  const problems: string[] = [];
  for (const handler of handlers) {
    if (!(JOB_NAMES as string[]).includes(handler.name)) problems.push(`handler for unknown job "${handler.name}"`);
    else if (byName.has(handler.name)) problems.push(`job "${handler.name}" has two handlers`);
    byName.set(handler.name, handler);
  }
  for (const name of JOB_NAMES) if (!byName.has(name)) problems.push(`job "${name}" has no handler`);
  if (problems.length > 0) throw new JobRegistryError(`job registry is incomplete: ${problems.join('; ')}`);
  return {
    dispatch(job, token) {
      const handler = byName.get(job.name);
      if (handler === undefined) throw new JobRegistryError(`no handler for job "${job.name}" (id ${job.id})`);
      return (handler.handle as (job: Job, token: string | undefined) => Promise<unknown>)(job, token);
    },
  };
}
