/**
 * A bulk operation run the way the `bulk` command runs one, for tests with an in-process worker on the bulk queue.
 */
import { submitBulkOperation } from '../../src/bulk/bulk-submit.ts';
import { getOperation, type BulkItem } from '../../src/db/bulk.repository.ts';
import { validateBulkRequest } from '../../src/domain/bulk-request.ts';
import { waitFor } from './catalog.ts';
import type { InProcessWorker } from './context.ts';

export interface BulkRun {
  id: number;
  /** in submission order */
  items: BulkItem[];
}

/**
 * The command's submit step (validated against the worker's own provider registry, items recorded, chunks queued),
 * then waiting for the operation to finish.
 */
export async function runBulk(
  worker: Pick<InProcessWorker, 'context' | 'queues'>,
  action: string,
  provider: string,
  ids: string[],
  dagActionId?: string,
): Promise<BulkRun> {
  const { context, queues } = worker;
  const { operation } = await submitBulkOperation(context, queues, validateBulkRequest(action, provider, dagActionId, context.registry), ids);
  await waitFor(async () => ((await getOperation(context.db, operation.id))?.state === 'done' ? true : undefined));
  const items = await context.pool.query<BulkItem>(
    'SELECT id, position, asset_id AS "assetId", state, outcome, error, attempts FROM bulk_items WHERE operation_id = $1 ORDER BY position',
    [operation.id],
  );
  return { id: operation.id, items: items.rows };
}
