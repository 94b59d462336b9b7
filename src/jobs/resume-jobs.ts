/**
 * Jobs for runs that Postgres says are open while nothing works on them: their job was lost (Redis came back
 * empty, or lost it while it waited for a retry). The deterministic job id is the run's, so two sweeping
 * replicas add one job, and a run is re-enqueued this way once: a resume job that fails all its attempts is left
 * to the next scheduled run, which resumes the open run too.
 */
import type { Job } from 'bullmq';
import { ensureJob, type EnsureResult } from './ensure-job.ts';
import type { Db } from '../db/client.ts';
import { findRunningRun } from '../db/sync-runs.repository.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { findUnfinishedApplyRun } from '../db/retention.repository.ts';
import { isProviderLockHeld } from '../db/provider-lock.ts';
import type { JobName } from './job-definitions.ts';
import { enqueue, type Queues } from './queues.ts';

const RUNNING_OR_DUE = ['active', 'waiting', 'prioritized', 'paused', 'waiting-children'] as const;

export const syncResumeJobId = (runId: number) => `sync-resume-${runId}`;
export const retentionResumeJobId = (runId: number) => `retention-resume-${runId}`;

/**
 * Jobs of one name that will take up the open run soon: running or due, or delayed as a retry, a parked job or a
 * one-off. A schedule's next firing (delayed, never started) is not one: it may be an hour or a day away.
 * The sync and retention queues hold a handful of jobs at most.
 */
async function jobsThatWillResume(queues: Queues, queue: 'sync' | 'retention', name: JobName): Promise<Job[]> {
  const [due, delayed] = await Promise.all([queues[queue].getJobs([...RUNNING_OR_DUE]), queues[queue].getJobs(['delayed'])]);
  const soon = [...due, ...delayed.filter((job) => job.attemptsStarted > 0 || job.repeatJobKey === undefined)];
  return soon.filter((job) => job.name === name);
}

/** For each provider with an open sync run that no session is syncing and no job will soon: a job to resume it. */
export async function ensureSyncResumeJobs(db: Db, queues: Queues, providers: readonly ProviderName[]): Promise<number> {
  let added = 0;
  for (const provider of providers) {
    const run = await findRunningRun(db, provider);
    if (run === undefined || (await isProviderLockHeld(db, 'sync', provider))) continue;
    const live = await jobsThatWillResume(queues, 'sync', 'sync.provider');
    if (live.some((job) => (job.data as { provider?: string }).provider === provider)) continue;
    const jobId = syncResumeJobId(run.id);
    const result: EnsureResult = await ensureJob(queues.sync, jobId, () => enqueue(queues, 'sync.provider', { provider }, { jobId }), {
      replaceFinished: false,
    });
    if (result !== 'exists') added += 1;
  }
  return added;
}

/** One retention.apply job when an apply run is open with no apply running or due soon: it finishes the run first. */
export async function ensureRetentionResumeJob(db: Db, queues: Queues, providers: readonly ProviderName[]): Promise<number> {
  const orphaned: number[] = [];
  for (const provider of providers) {
    const run = await findUnfinishedApplyRun(db, provider);
    if (run !== undefined && !(await isProviderLockHeld(db, 'retention', provider))) orphaned.push(run.id);
  }
  if (orphaned.length === 0 || (await jobsThatWillResume(queues, 'retention', 'retention.apply')).length > 0) return 0;
  const jobId = retentionResumeJobId(Math.min(...orphaned));
  const result = await ensureJob(queues.retention, jobId, () => enqueue(queues, 'retention.apply', {}, { jobId }), { replaceFinished: false });
  return result === 'exists' ? 0 : 1;
}
