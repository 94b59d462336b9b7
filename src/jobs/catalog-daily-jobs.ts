import { ensureJob, type EnsureResult } from './ensure-job.ts';
import { enqueue, type Queues } from './queues.ts';

/** Named by the day it carries on from: every replica (and a repeat) asks for the same job, never a second one. */
export const catalogDailyFollowUpJobId = (resumeFrom: string) => `catalog-daily-from-${resumeFrom}`;

/**
 * Queues the next slice of a backfill the last run left at its limit of days. It goes to the back of the retention
 * queue, so a retention apply waiting there runs first. A finished job of that id is replaced: the table says the
 * days from `resumeFrom` on are still to compute (a job that ended kept for history must not swallow the add).
 */
export function ensureCatalogDailyFollowUp(queues: Queues, resumeFrom: string): Promise<EnsureResult> {
  const jobId = catalogDailyFollowUpJobId(resumeFrom);
  return ensureJob(queues.retention, jobId, () => enqueue(queues, 'catalog.daily', { resumeFrom }, { jobId }), { replaceFinished: true });
}
