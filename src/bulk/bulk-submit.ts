/**
 * Submitting a bulk operation: the provider must be enabled and support the action; the ids are planned into
 * chunks (repeats skipped), the operation and its items recorded, and a job queued per chunk. What `bulk` does
 * before it prints the operation's id; the jobs do the work.
 */
import type pg from 'pg';
import { createOperation, type BulkOperation } from '../db/bulk.repository.ts';
import { chunkSizeFor, planItems } from '../domain/bulk-plan.ts';
import { isAssetAction, type BulkRequest } from '../domain/bulk-request.ts';
import { InvalidRequestError } from '../errors.ts';
import { ensureChunkJob } from '../jobs/bulk-chunk-jobs.ts';
import type { Queues } from '../jobs/queues.ts';
import type { ProviderHandle } from '../providers/provider-factory.ts';

/** What submitting needs of the process (the app context is one). */
export interface BulkSubmitContext {
  readonly pool: pg.Pool;
  /** the named providers; one that is unknown or not enabled is an InvalidRequestError */
  selectProviders(names?: readonly string[]): ProviderHandle[];
}

export interface BulkSubmission {
  operation: BulkOperation;
  chunks: number;
  /** distinct assets the operation acts on */
  assets: number;
  /** ids given more than once, recorded as skipped */
  duplicates: number;
}

export async function submitBulkOperation(
  context: BulkSubmitContext,
  queues: Queues,
  request: BulkRequest,
  ids: readonly string[],
): Promise<BulkSubmission> {
  const [handle] = context.selectProviders([request.provider]);
  if (handle === undefined) throw new InvalidRequestError(`provider "${request.provider}" is not enabled`);
  let batchSize = 1;
  if (isAssetAction(request.action)) {
    if (!handle.provider.supportedActions.includes(request.action)) throw new InvalidRequestError(`${request.provider} does not support "${request.action}"`);
    batchSize = handle.provider.batchSize(request.action);
  }
  const chunkSize = chunkSizeFor(request.action, batchSize);
  const plan = planItems(ids, chunkSize);
  const operation = await createOperation(context.pool, request, chunkSize, plan.items);
  for (let chunk = 0; chunk < plan.chunks; chunk += 1) await ensureChunkJob(queues, operation.id, chunk, false);
  const duplicates = plan.items.filter((item) => item.duplicate).length;
  return { operation, chunks: plan.chunks, assets: ids.length - duplicates, duplicates };
}
