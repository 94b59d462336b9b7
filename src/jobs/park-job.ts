/**
 * Parking: a job moves itself to BullMQ's delayed set and comes back later, neither failed nor completed, and
 * without using an attempt.
 */
import { DelayedError, type Job } from 'bullmq';

/** A job parked by a shutdown comes back this soon after a restart, and resumes from what it had committed. */
const RESUME_AFTER_SHUTDOWN_MS = 5_000;

/** Parks the job until `at` (`token`: the worker's lock on it); the DelayedError tells BullMQ the job moved itself. */
export async function parkUntil(job: Job, token: string | undefined, at: Date): Promise<never> {
  await job.moveToDelayed(at.getTime(), token);
  throw new DelayedError();
}

/** Stopped for a shutdown, not failed: park the job instead of burning an attempt. */
export function parkForShutdown(job: Job, token: string | undefined): Promise<never> {
  return parkUntil(job, token, new Date(Date.now() + RESUME_AFTER_SHUTDOWN_MS));
}
