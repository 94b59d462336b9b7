/**
 * The one summary line of a bulk operation, logged by whichever step closed it (the last chunk, or the poll that
 * ended its last DAG run): counts by outcome, at warn when any item failed.
 */
import type { Db } from './client.ts';
import type { Logger } from '../logger.ts';
import { getOperation, outcomeCounts } from './bulk.repository.ts';

export async function logOperationFinished(db: Db, logger: Logger, operationId: number): Promise<void> {
  const operation = await getOperation(db, operationId);
  const rows = await outcomeCounts(db, operationId);
  const total = (state: string) => rows.filter((row) => row.state === state).reduce((sum, row) => sum + row.count, 0);
  const outcomes = Object.fromEntries(rows.map((row) => [`${row.state}${row.outcome === null ? '' : `/${row.outcome}`}`, row.count]));
  const fields = {
    operationId,
    provider: operation?.provider,
    action: operation?.action,
    items: operation?.total,
    done: total('done'),
    failed: total('failed'),
    skipped: total('skipped'),
    outcomes,
  };
  if (fields.failed > 0) logger.warn(fields, 'bulk operation finished with failed items');
  else logger.info(fields, 'bulk operation finished');
}
