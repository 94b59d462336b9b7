/**
 * Bulk's ledger for the action engine: one chunk's items in bulk_items. Outcomes are written under the
 * operation's row lock, which also closes the operation when its last open item finishes; a stop (permission,
 * a provider that keeps failing) fails every item of the operation not yet sent, in every chunk.
 */
import type pg from 'pg';
import type { ActionLedger, Settlement } from '../actions/action-ledger.ts';
import { withTransaction } from '../db/transaction.ts';
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import { itemOutcome } from '../domain/bulk-plan.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import {
  claimPendingChunkItems,
  closeOperationIfDone,
  finishItemsLocked,
  idsInCatalog,
  lockOperation,
  pendingOperationItems,
  returnToPending,
  type BulkItem,
  type ItemFinish,
} from '../db/bulk.repository.ts';

export interface BulkLedger extends ActionLedger {
  /** what this chunk's run has recorded so far; `failed` includes the items a stop failed in other chunks */
  readonly counts: { done: number; failed: number; closedOperation: boolean };
}

export function bulkChunkLedger(
  pool: pg.Pool,
  operationId: number,
  chunk: number,
  provider: ProviderName,
  items: readonly BulkItem[],
  inCatalog: ReadonlySet<string>,
  clock: () => Date,
  notifications?: NotificationOutbox,
): BulkLedger {
  const counts = { done: 0, failed: 0, closedOperation: false };
  const outcome = (result: 'applied' | 'already_gone' | 'not_applied', assetId: string) => itemOutcome(result, inCatalog.has(assetId));
  return {
    changeSource: { source: 'bulk', sourceId: String(operationId) },
    counts,
    async loadInFlight() {
      return items.filter((item) => item.state === 'in_flight').map((item) => ({ id: item.id, assetId: item.assetId, attempts: item.attempts }));
    },
    async claim(limit) {
      return claimPendingChunkItems(pool, operationId, chunk, limit, clock());
    },
    async record(tx, settlement: Settlement, at) {
      const finishes: ItemFinish[] = [
        ...settlement.done.map((entry) => ({ itemId: entry.id, state: 'done' as const, outcome: outcome('applied', entry.assetId) })),
        ...settlement.gone.map((entry) => ({ itemId: entry.id, state: 'done' as const, outcome: outcome('already_gone', entry.assetId) })),
        ...settlement.failed.map(({ entry, reason }) => ({
          itemId: entry.id,
          state: 'failed' as const,
          outcome: outcome('not_applied', entry.assetId),
          error: reason,
        })),
      ];
      await lockOperation(tx, operationId);
      await finishItemsLocked(tx, operationId, finishes, at);
      await returnToPending(tx, settlement.retry.map((entry) => entry.id), 'left undone by the provider; retried', at);
      if (await closeOperationIfDone(tx, operationId, at, notifications)) counts.closedOperation = true;
      counts.done += settlement.done.length + settlement.gone.length;
      counts.failed += settlement.failed.length;
    },
    async abandon(reason, at) {
      const abandoned = await withTransaction(pool, async (tx) => {
        await lockOperation(tx, operationId);
        const rest = await pendingOperationItems(tx, operationId);
        const known = await idsInCatalog(tx, provider, rest.map((item) => item.assetId));
        const finishes = rest.map((item) => ({
          itemId: item.id,
          state: 'failed' as const,
          outcome: itemOutcome('not_applied', known.has(item.assetId)),
          error: reason,
        }));
        await finishItemsLocked(tx, operationId, finishes, at);
        if (await closeOperationIfDone(tx, operationId, at, notifications)) counts.closedOperation = true;
        return rest.length;
      });
      counts.failed += abandoned;
      return abandoned;
    },
  };
}
