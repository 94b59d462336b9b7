/**
 * One chunk of a `bulk dag` operation: starts one DAG action run per asset and hands each to the poll job. The
 * item stays in_flight until its run ends (the poller finishes both in one transaction). The run row and the
 * in_flight mark commit together, so a resumed chunk knows exactly which items already had a start call sent.
 */
import { createDb } from '../db/client.ts';
import { withTransaction } from '../db/transaction.ts';
import { DEFAULT_DAG_TIMEOUT_MS } from '../domain/dag-poll-policy.ts';
import { ensurePollJobIfOpen } from '../jobs/dag-poll-jobs.ts';
import { createStartingRun, submitStart, type DagDeps } from '../dag/dag-run-starter.ts';
import { findRunByBulkItem } from '../db/dag-runs.repository.ts';
import type { Queues } from '../jobs/queues.ts';
import { markInFlight, type BulkItem } from '../db/bulk.repository.ts';

export interface DagChunkDeps extends DagDeps {
  queues: Queues;
  signal: AbortSignal;
  timeoutMs?: number;
}

export type DagChunkResult = { kind: 'finished'; started: number } | { kind: 'interrupted' };

export async function runDagChunk(deps: DagChunkDeps, dagActionId: string, items: readonly BulkItem[]): Promise<DagChunkResult> {
  let started = 0;
  for (const item of items) {
    if (deps.signal.aborted) return { kind: 'interrupted' };
    if (item.state === 'in_flight') {
      const existing = await findRunByBulkItem(deps.db, item.id);
      if (existing !== undefined) {
        // started by an earlier attempt: never start again, only make sure the run is followed
        await ensurePollJobIfOpen(deps.queues, existing);
        continue;
      }
    }
    const request = { assetId: item.assetId, dagActionId, timeoutMs: deps.timeoutMs ?? DEFAULT_DAG_TIMEOUT_MS, bulkItemId: item.id };
    const run = await withTransaction(deps.pool, async (client) => {
      const now = deps.clock();
      await markInFlight(client, [item.id], now);
      return createStartingRun(createDb(client), request, deps.policy, now);
    });
    const { run: after } = await submitStart(deps, run);
    await ensurePollJobIfOpen(deps.queues, after);
    started += 1;
  }
  return { kind: 'finished', started };
}
