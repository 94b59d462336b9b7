/**
 * Postgres is the record of open work; BullMQ only schedules it. A poll or chunk job lost to a crash or a Redis
 * flush is found here from Postgres and enqueued again (deterministic job ids make a repeat harmless).
 */
import { ensureChunkJob } from '../bulk/bulk-chunk-jobs.ts';
import { openChunks, unfinishedOperationIds } from '../bulk/bulk.repository.ts';
import type { Db } from '../db/client.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import { ensurePollJob } from './dag-poll-jobs.ts';
import { overdueOpenRunIds } from './dag-runs.repository.ts';

/** A parked poll wakes at its next_poll_at; one this late has most likely lost its job. */
export const DEFAULT_SWEEP_MARGIN_MS = 60_000;

export interface SweepResult {
  pollsRequeued: number;
  chunksRequeued: number;
}

export async function sweepLostJobs(
  deps: { db: Db; queues: Queues; logger: Logger },
  marginMs = DEFAULT_SWEEP_MARGIN_MS,
): Promise<SweepResult> {
  let pollsRequeued = 0;
  for (const runId of await overdueOpenRunIds(deps.db, new Date(Date.now() - marginMs))) {
    if ((await ensurePollJob(deps.queues, runId)) !== 'exists') pollsRequeued += 1;
  }
  let chunksRequeued = 0;
  for (const operationId of await unfinishedOperationIds(deps.db)) {
    for (const chunk of await openChunks(deps.db, operationId)) {
      if ((await ensureChunkJob(deps.queues, operationId, chunk, false)) !== 'exists') chunksRequeued += 1;
    }
  }
  if (pollsRequeued + chunksRequeued > 0) deps.logger.warn({ pollsRequeued, chunksRequeued }, 'lost jobs enqueued again from Postgres');
  return { pollsRequeued, chunksRequeued };
}
