/**
 * Postgres is the record of open work; BullMQ only schedules it. A poll, chunk, sync, retention or delivery job lost to a
 * crash or a Redis flush is found here from Postgres and enqueued again (deterministic job ids make a repeat
 * harmless).
 */
import { ensureChunkJob } from './bulk-chunk-jobs.ts';
import { openChunks, unfinishedOperationIds } from '../db/bulk.repository.ts';
import type { Db } from '../db/client.ts';
import type { Queues } from './queues.ts';
import { ensureRetentionResumeJob, ensureSyncResumeJobs } from './resume-jobs.ts';
import type { Logger } from '../logger.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { ensurePollJob } from './dag-poll-jobs.ts';
import { overdueOpenRunIds } from '../db/dag-runs.repository.ts';
import { ensureDeliveryJobs } from './notify-jobs.ts';

/** A parked poll wakes at its next_poll_at; one this late has most likely lost its job. */
export const DEFAULT_SWEEP_MARGIN_MS = 60_000;

export interface SweepResult {
  pollsRequeued: number;
  chunksRequeued: number;
  syncsRequeued: number;
  retentionRequeued: number;
  eventsRequeued: number;
}

export interface SweepDeps {
  db: Db;
  queues: Queues;
  logger: Logger;
  /** the providers this process syncs and applies retention for: open runs of others are left alone */
  providers: readonly ProviderName[];
  /** NOTIFY_WEBHOOK_URL is set: undelivered notification events are owed a delivery job */
  deliverEvents?: boolean;
}

export async function sweepLostJobs(deps: SweepDeps, marginMs = DEFAULT_SWEEP_MARGIN_MS): Promise<SweepResult> {
  const requeuePolls = async () => {
    let added = 0;
    for (const runId of await overdueOpenRunIds(deps.db, new Date(Date.now() - marginMs))) {
      if ((await ensurePollJob(deps.queues, runId)) !== 'exists') added += 1;
    }
    return added;
  };
  const requeueChunks = async () => {
    let added = 0;
    for (const operationId of await unfinishedOperationIds(deps.db)) {
      for (const chunk of await openChunks(deps.db, operationId)) {
        if ((await ensureChunkJob(deps.queues, operationId, chunk, false)) !== 'exists') added += 1;
      }
    }
    return added;
  };
  // each kind of work on its own: one that cannot be swept this time does not keep the others waiting
  const failures: unknown[] = [];
  const attempt = async (sweep: () => Promise<number>): Promise<number> => {
    try {
      return await sweep();
    } catch (error) {
      failures.push(error);
      return 0;
    }
  };
  const result: SweepResult = {
    pollsRequeued: await attempt(requeuePolls),
    chunksRequeued: await attempt(requeueChunks),
    syncsRequeued: await attempt(() => ensureSyncResumeJobs(deps.db, deps.queues, deps.providers)),
    retentionRequeued: await attempt(() => ensureRetentionResumeJob(deps.db, deps.queues, deps.providers)),
    eventsRequeued: deps.deliverEvents === true ? await attempt(() => ensureDeliveryJobs(deps.db, deps.queues.notify)) : 0,
  };
  if (Object.values(result).some((added) => added > 0)) deps.logger.warn(result, 'lost jobs enqueued again from Postgres');
  // the job fails with the first error (and is logged as failed); the next minute's sweep tries again
  if (failures.length > 0) throw failures[0];
  return result;
}
