/**
 * Watching a bulk operation from Postgres until no item is left to do, and resuming one whose jobs were lost or
 * gave up. The chunk and poll jobs do the work, wherever they run.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/client.ts';
import { ensurePollJob } from '../jobs/dag-poll-jobs.ts';
import { openRunIdsOfOperation } from '../db/dag-runs.repository.ts';
import type { Queues } from '../jobs/queues.ts';
import { ensureChunkJob } from '../jobs/bulk-chunk-jobs.ts';
import { getOperation, itemCountsByState, openChunks, type BulkOperation, type ItemState } from '../db/bulk.repository.ts';

/** Every open chunk gets a job again (finished ones replaced) and every open DAG run its poll job. */
export async function resumeOperation(db: Db, queues: Queues, operationId: number): Promise<{ chunks: number; polls: number }> {
  let chunks = 0;
  for (const chunk of await openChunks(db, operationId)) {
    if ((await ensureChunkJob(queues, operationId, chunk, true)) !== 'exists') chunks += 1;
  }
  let polls = 0;
  for (const runId of await openRunIdsOfOperation(db, operationId)) {
    if ((await ensurePollJob(queues, runId)) !== 'exists') polls += 1;
  }
  return { chunks, polls };
}

export interface OperationProgress {
  operation: BulkOperation;
  counts: Record<ItemState, number>;
  /** items with their outcome: done, failed or skipped */
  settled: number;
}

export interface BulkFollowDeps {
  db: Db;
  queues: Queues;
  signal: AbortSignal;
  pollMs?: number;
  /** how often lost jobs are looked for while waiting */
  resumeEveryMs?: number;
  onProgress?: (progress: OperationProgress) => void;
}

export async function followOperation(deps: BulkFollowDeps, operationId: number): Promise<OperationProgress> {
  let lastResume = Date.now();
  for (;;) {
    const operation = await getOperation(deps.db, operationId);
    if (operation === undefined) throw new Error(`bulk operation ${operationId} no longer exists`);
    const counts = await itemCountsByState(deps.db, operationId);
    const progress = { operation, counts, settled: counts.done + counts.failed + counts.skipped };
    deps.onProgress?.(progress);
    if (counts.pending + counts.in_flight === 0) return progress;
    if (Date.now() - lastResume > (deps.resumeEveryMs ?? 30_000)) {
      lastResume = Date.now();
      await resumeOperation(deps.db, deps.queues, operationId);
    }
    await sleep(deps.pollMs ?? 300, undefined, { signal: deps.signal });
  }
}
