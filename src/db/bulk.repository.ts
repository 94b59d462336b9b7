/**
 * Bulk operations and their items. An item moves pending → in_flight (just before its provider call) → done |
 * failed; a repeated id is 'skipped' from the start. Finishing items and closing the operation happen under the
 * operation's row lock, so the last two items finishing at once still close it exactly once.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type pg from 'pg';
import { createDb, type Db } from './client.ts';
import { bulkItems, bulkOperations } from './schema.ts';
import { withTransaction } from './transaction.ts';
import { recordNotificationEvent, type NotificationOutbox } from './notification-events.repository.ts';
import type { PlannedItem } from '../domain/bulk-plan.ts';
import type { BulkRequest } from '../domain/bulk-request.ts';
import type { ProviderName } from '../domain/provider-facts.ts';

export type BulkOperation = typeof bulkOperations.$inferSelect;
export type BulkItem = typeof bulkItems.$inferSelect;
export type ItemState = 'pending' | 'in_flight' | 'done' | 'failed' | 'skipped';
export const OPEN_ITEM_STATES: readonly ItemState[] = ['pending', 'in_flight'];

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface ItemFinish {
  itemId: number;
  state: 'done' | 'failed';
  outcome: string;
  error?: string | null;
}

export async function createOperation(
  pool: pg.Pool,
  request: BulkRequest,
  chunkSize: number,
  items: readonly PlannedItem[],
): Promise<BulkOperation> {
  return withTransaction(pool, async (client) => {
    const [operation] = await createDb(client)
      .insert(bulkOperations)
      .values({ provider: request.provider, action: request.action, dagActionId: request.dagActionId, total: items.length, chunkSize })
      .returning();
    if (operation === undefined) throw new Error('insert into bulk_operations returned no row');
    // one statement for any number of ids: a 100,000-id file is one round trip, not 100,000
    await client.query(
      `INSERT INTO bulk_items (operation_id, position, chunk, asset_id, state, outcome)
       SELECT $1, v.position, v.chunk, v.asset_id, v.state, v.outcome
       FROM unnest($2::int[], $3::int[], $4::text[], $5::text[], $6::text[]) AS v(position, chunk, asset_id, state, outcome)`,
      [
        operation.id,
        items.map((item) => item.position),
        items.map((item) => item.chunk),
        items.map((item) => item.assetId),
        items.map((item) => (item.duplicate ? 'skipped' : 'pending')),
        items.map((item) => (item.duplicate ? 'duplicate' : null)),
      ],
    );
    return operation;
  });
}

export async function getOperation(db: Db, operationId: number): Promise<BulkOperation | undefined> {
  const [operation] = await db.select().from(bulkOperations).where(eq(bulkOperations.id, operationId));
  return operation;
}

export async function markOperationRunning(db: Db, operationId: number): Promise<void> {
  await db.update(bulkOperations).set({ state: 'running' }).where(and(eq(bulkOperations.id, operationId), eq(bulkOperations.state, 'queued')));
}

/** The chunk's items still to do, in input order. */
export async function loadOpenChunkItems(db: Db, operationId: number, chunk: number): Promise<BulkItem[]> {
  return db
    .select()
    .from(bulkItems)
    .where(and(eq(bulkItems.operationId, operationId), eq(bulkItems.chunk, chunk), inArray(bulkItems.state, [...OPEN_ITEM_STATES])))
    .orderBy(asc(bulkItems.position));
}

/** Recorded before the provider call: a crash after this point leaves the item for the resume check. */
export async function markInFlight(db: Queryable, itemIds: readonly number[], at: Date): Promise<void> {
  if (itemIds.length === 0) return;
  await db.query(`UPDATE bulk_items SET state = 'in_flight', attempts = attempts + 1, updated_at = $2 WHERE id = ANY ($1::bigint[])`, [
    itemIds,
    at,
  ]);
}

/** The chunk's next pending items in input order, marked in flight (committed before any call). */
export async function claimPendingChunkItems(
  db: Queryable,
  operationId: number,
  chunk: number,
  limit: number,
  at: Date,
): Promise<Array<{ id: number; assetId: string; attempts: number }>> {
  const result = await db.query<{ id: string; asset_id: string; attempts: number; position: number }>(
    `UPDATE bulk_items SET state = 'in_flight', attempts = attempts + 1, updated_at = $4
      WHERE id IN (SELECT id FROM bulk_items WHERE operation_id = $1 AND chunk = $2 AND state = 'pending' ORDER BY position LIMIT $3)
        AND state = 'pending'
      RETURNING id, asset_id, attempts, position`,
    [operationId, chunk, limit, at],
  );
  return result.rows.sort((x, y) => x.position - y.position).map((row) => ({ id: Number(row.id), assetId: row.asset_id, attempts: row.attempts }));
}

/** The provider did not act on these: they go round again. */
export async function returnToPending(db: Queryable, itemIds: readonly number[], error: string, at: Date): Promise<void> {
  if (itemIds.length === 0) return;
  await db.query(`UPDATE bulk_items SET state = 'pending', error = $2, updated_at = $3 WHERE id = ANY ($1::bigint[]) AND state = 'in_flight'`, [
    itemIds,
    error,
    at,
  ]);
}

/** Every item of the operation not yet sent (all chunks), locked until the transaction ends. */
export async function pendingOperationItems(db: Queryable, operationId: number): Promise<Array<{ id: number; assetId: string }>> {
  const result = await db.query<{ id: string; asset_id: string }>(
    `SELECT id, asset_id FROM bulk_items WHERE operation_id = $1 AND state = 'pending' ORDER BY position FOR UPDATE`,
    [operationId],
  );
  return result.rows.map((row) => ({ id: Number(row.id), assetId: row.asset_id }));
}

export async function lockOperation(client: Queryable, operationId: number): Promise<void> {
  await client.query('SELECT id FROM bulk_operations WHERE id = $1 FOR UPDATE', [operationId]);
}

export async function finishItemsLocked(client: Queryable, operationId: number, finishes: readonly ItemFinish[], at: Date): Promise<void> {
  await client.query(
    `UPDATE bulk_items b SET state = v.state, outcome = v.outcome, error = v.error, updated_at = $2
     FROM unnest($3::bigint[], $4::text[], $5::text[], $6::text[]) AS v(id, state, outcome, error)
     WHERE b.id = v.id AND b.operation_id = $1 AND b.state IN ('pending', 'in_flight')`,
    [
      operationId,
      at,
      finishes.map((f) => f.itemId),
      finishes.map((f) => f.state),
      finishes.map((f) => f.outcome),
      finishes.map((f) => f.error ?? null),
    ],
  );
}

/**
 * Closes the operation once no item is open; true when this call closed it (under the operation's lock, exactly one
 * caller sees it). With an outbox, an operation closed with failed items records `bulk.finished_with_failures` in the
 * same transaction.
 */
export async function closeOperationIfDone(client: pg.PoolClient, operationId: number, at: Date, outbox?: NotificationOutbox): Promise<boolean> {
  const closed = await client.query<{ provider: string; action: string; total: number }>(
    `UPDATE bulk_operations SET state = 'done', finished_at = $2
     WHERE id = $1 AND state <> 'done'
       AND NOT EXISTS (SELECT 1 FROM bulk_items WHERE operation_id = $1 AND state IN ('pending', 'in_flight'))
     RETURNING provider, action, total`,
    [operationId, at],
  );
  const operation = closed.rows[0];
  if (operation === undefined) return false;
  if (outbox !== undefined) {
    const { done, failed, skipped } = await itemCountsByState(createDb(client), operationId);
    if (failed > 0) {
      const data = { provider: operation.provider, operationId, action: operation.action, items: operation.total, done, failed, skipped };
      await recordNotificationEvent(client, outbox, 'bulk.finished_with_failures', data, at);
    }
  }
  return true;
}

export async function itemCountsByState(db: Db, operationId: number): Promise<Record<ItemState, number>> {
  const rows = await db
    .select({ state: bulkItems.state, count: sql<number>`count(*)::int` })
    .from(bulkItems)
    .where(eq(bulkItems.operationId, operationId))
    .groupBy(bulkItems.state);
  const counts: Record<ItemState, number> = { pending: 0, in_flight: 0, done: 0, failed: 0, skipped: 0 };
  for (const row of rows) counts[row.state as ItemState] = row.count;
  return counts;
}

export async function outcomeCounts(db: Db, operationId: number): Promise<Array<{ state: string; outcome: string | null; count: number }>> {
  return db
    .select({ state: bulkItems.state, outcome: bulkItems.outcome, count: sql<number>`count(*)::int` })
    .from(bulkItems)
    .where(eq(bulkItems.operationId, operationId))
    .groupBy(bulkItems.state, bulkItems.outcome)
    .orderBy(bulkItems.state, bulkItems.outcome);
}

export async function failedItems(db: Db, operationId: number, limit: number): Promise<BulkItem[]> {
  return db
    .select()
    .from(bulkItems)
    .where(and(eq(bulkItems.operationId, operationId), eq(bulkItems.state, 'failed')))
    .orderBy(asc(bulkItems.position))
    .limit(limit);
}

/** Chunks that still hold work: what a resume (or the sweep) makes sure has a job. */
export async function openChunks(db: Db, operationId: number): Promise<number[]> {
  const rows = await db
    .selectDistinct({ chunk: bulkItems.chunk })
    .from(bulkItems)
    .where(and(eq(bulkItems.operationId, operationId), inArray(bulkItems.state, [...OPEN_ITEM_STATES])))
    .orderBy(asc(bulkItems.chunk));
  return rows.map((row) => row.chunk);
}

export async function unfinishedOperationIds(db: Db): Promise<number[]> {
  const rows = await db.select({ id: bulkOperations.id }).from(bulkOperations).where(sql`${bulkOperations.state} <> 'done'`);
  return rows.map((row) => row.id);
}

/** Which of these ids the catalog has ever seen for the provider. */
export async function idsInCatalog(db: Queryable, provider: ProviderName, assetIds: readonly string[]): Promise<Set<string>> {
  if (assetIds.length === 0) return new Set();
  const result = await db.query<{ asset_id: string }>('SELECT asset_id FROM assets WHERE provider = $1 AND asset_id = ANY ($2::text[])', [
    provider,
    assetIds,
  ]);
  return new Set(result.rows.map((row) => row.asset_id));
}
