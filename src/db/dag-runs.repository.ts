/**
 * DAG action runs as durable operations. The row is written before the start call ('starting'), gets the
 * provider's run id when the call answers ('running'), and ends succeeded | failed | timed_out. A run started by
 * a bulk operation finishes its bulk item in the same transaction.
 */
import { and, eq, inArray, isNotNull, lt, sql } from 'drizzle-orm';
import type pg from 'pg';
import { recordNotificationEvent, type NotificationOutbox } from './notification-events.repository.ts';
import { dagRunEventType } from '../domain/notification-event.ts';
import { closeOperationIfDone, finishItemsLocked, idsInCatalog, lockOperation } from './bulk.repository.ts';
import { createDb, type Db } from './client.ts';
import { bulkItems, dagActionRuns } from './schema.ts';
import { withTransaction } from './transaction.ts';
import { itemOutcome } from '../domain/bulk-plan.ts';
import { OPEN_DAG_OUTCOMES, type DagFinalOutcome } from '../domain/dag-poll-policy.ts';
import type { DagRunSnapshot } from '../providers/provider.ts';

export type DagRun = typeof dagActionRuns.$inferSelect;

export interface NewDagRun {
  assetId: string;
  dagActionId: string;
  startedAt: Date;
  deadlineAt: Date;
  /** when a run still 'starting' is looked for at the provider, should its start answer never be recorded */
  nextPollAt: Date;
  bulkItemId?: number | undefined;
}

export async function insertStartingRun(db: Db, run: NewDagRun): Promise<DagRun> {
  const [row] = await db
    .insert(dagActionRuns)
    .values({
      assetId: run.assetId,
      dagActionId: run.dagActionId,
      startedAt: run.startedAt,
      deadlineAt: run.deadlineAt,
      nextPollAt: run.nextPollAt,
      bulkItemId: run.bulkItemId ?? null,
    })
    .returning();
  if (row === undefined) throw new Error('insert into dag_action_runs returned no row');
  return row;
}

export async function getDagRun(db: Db, runId: number): Promise<DagRun | undefined> {
  const [row] = await db.select().from(dagActionRuns).where(eq(dagActionRuns.id, runId));
  return row;
}

export async function findRunByBulkItem(db: Db, bulkItemId: number): Promise<DagRun | undefined> {
  const [row] = await db.select().from(dagActionRuns).where(eq(dagActionRuns.bulkItemId, bulkItemId));
  return row;
}

/** Provider run ids of this asset that some row already tracks: never adopted twice. */
export async function claimedRunIds(db: Db, assetId: string): Promise<Set<string>> {
  const rows = await db
    .select({ runId: dagActionRuns.providerRunId })
    .from(dagActionRuns)
    .where(and(eq(dagActionRuns.assetId, assetId), isNotNull(dagActionRuns.providerRunId)));
  return new Set(rows.flatMap((row) => (row.runId === null ? [] : [row.runId])));
}

/** The start call answered (or the run was found at the provider): the row now tracks that run. */
export async function recordRunning(db: Db, runId: number, snapshot: DagRunSnapshot, nextPollAt: Date): Promise<DagRun | undefined> {
  const [row] = await db
    .update(dagActionRuns)
    .set({ providerRunId: snapshot.runId, status: snapshot.status, messages: snapshot.messages, outcome: 'running', nextPollAt, error: null })
    .where(and(eq(dagActionRuns.id, runId), eq(dagActionRuns.outcome, 'starting')))
    .returning();
  return row;
}

export interface PollRecord {
  polledAt: Date;
  nextPollAt: Date;
  /** undefined when the provider gave no answer this time (the last known status stays) */
  snapshot?: DagRunSnapshot | undefined;
  error: string | null;
}

/** One poll that did not end the run. */
export async function recordPoll(db: Db, runId: number, poll: PollRecord): Promise<void> {
  await db
    .update(dagActionRuns)
    .set({
      lastPolledAt: poll.polledAt,
      nextPollAt: poll.nextPollAt,
      pollAttempts: sql`${dagActionRuns.pollAttempts} + 1`,
      error: poll.error,
      ...(poll.snapshot === undefined ? {} : { status: poll.snapshot.status, messages: poll.snapshot.messages }),
    })
    .where(and(eq(dagActionRuns.id, runId), inArray(dagActionRuns.outcome, [...OPEN_DAG_OUTCOMES])));
}

/** Moves a 'starting' row on without a poll: e.g. the start call failed in a way that leaves its effect unknown. */
export async function rescheduleRun(db: Db, runId: number, nextPollAt: Date, error: string | null): Promise<void> {
  await db
    .update(dagActionRuns)
    .set({ nextPollAt, error })
    .where(and(eq(dagActionRuns.id, runId), inArray(dagActionRuns.outcome, [...OPEN_DAG_OUTCOMES])));
}

export interface RunFinish {
  outcome: DagFinalOutcome;
  at: Date;
  /** true when this finish comes from a poll (counts as one, and sets last_polled_at) */
  polled: boolean;
  snapshot?: DagRunSnapshot | undefined;
  error?: string | null | undefined;
}

export interface FinishedRun {
  run: DagRun;
  /** the bulk operation this finish closed (its last open item), if any */
  closedOperationId: number | null;
}

/**
 * Ends the run, and its bulk item if it has one, in one transaction. Returns the row as finished (with the bulk
 * operation this closed, if any), or undefined when the run had already ended (a replayed poll changes nothing).
 * With an outbox, a run ending failed or timed out records its event, and a closed bulk operation with failures
 * its own, in the same transaction.
 */
export async function finishRun(pool: pg.Pool, run: DagRun, finish: RunFinish, outbox?: NotificationOutbox): Promise<FinishedRun | undefined> {
  return withTransaction(pool, async (client) => {
    const db = createDb(client);
    const operationId = run.bulkItemId === null ? undefined : await operationOfItem(db, run.bulkItemId);
    // the operation lock first, as every bulk item finish takes it: one lock order, no deadlock
    if (operationId !== undefined) await lockOperation(client, operationId);
    const [row] = await db
      .update(dagActionRuns)
      .set({
        outcome: finish.outcome,
        finishedAt: finish.at,
        nextPollAt: null,
        ...(finish.polled ? { lastPolledAt: finish.at, pollAttempts: sql`${dagActionRuns.pollAttempts} + 1` } : {}),
        ...(finish.snapshot === undefined
          ? {}
          : { status: finish.snapshot.status, messages: finish.snapshot.messages, providerRunId: finish.snapshot.runId }),
        ...(finish.error === undefined ? {} : { error: finish.error }),
      })
      .where(and(eq(dagActionRuns.id, run.id), inArray(dagActionRuns.outcome, [...OPEN_DAG_OUTCOMES])))
      .returning();
    if (row === undefined) return undefined;
    const eventType = dagRunEventType(finish.outcome);
    if (eventType !== undefined) {
      const { id: dagRunId, assetId, dagActionId, providerRunId, status, error: reason } = row;
      const data = { provider: 'mediapocket' as const, dagRunId, assetId, dagActionId, providerRunId, status, reason };
      await recordNotificationEvent(client, outbox, eventType, data, finish.at);
    }
    let closedOperationId: number | null = null;
    if (operationId !== undefined && run.bulkItemId !== null) {
      // DAG actions are Media Pocket's alone
      const inCatalog = (await idsInCatalog(client, 'mediapocket', [run.assetId])).has(run.assetId);
      await finishItemsLocked(
        client,
        operationId,
        [
          {
            itemId: run.bulkItemId,
            state: finish.outcome === 'succeeded' ? 'done' : 'failed',
            outcome: itemOutcome(finish.outcome, inCatalog),
            error: finish.outcome === 'succeeded' ? null : (row.error ?? `run ended ${finish.outcome} with status ${row.status ?? 'unknown'}`),
          },
        ],
        finish.at,
      );
      if (await closeOperationIfDone(client, operationId, finish.at, outbox)) closedOperationId = operationId;
    }
    return { run: row, closedOperationId };
  });
}

async function operationOfItem(db: Db, itemId: number): Promise<number | undefined> {
  const [row] = await db.select({ operationId: bulkItems.operationId }).from(bulkItems).where(eq(bulkItems.id, itemId));
  return row?.operationId;
}

/** Open runs whose next poll is overdue: their poll job may have been lost. */
export async function overdueOpenRunIds(db: Db, overdueBefore: Date, limit = 1_000): Promise<number[]> {
  const rows = await db
    .select({ id: dagActionRuns.id })
    .from(dagActionRuns)
    .where(and(inArray(dagActionRuns.outcome, [...OPEN_DAG_OUTCOMES]), lt(dagActionRuns.nextPollAt, overdueBefore)))
    .orderBy(dagActionRuns.nextPollAt)
    .limit(limit);
  return rows.map((row) => row.id);
}

/** Open runs started by one bulk operation. */
export async function openRunIdsOfOperation(db: Db, operationId: number): Promise<number[]> {
  const rows = await db
    .select({ id: dagActionRuns.id })
    .from(dagActionRuns)
    .innerJoin(bulkItems, eq(bulkItems.id, dagActionRuns.bulkItemId))
    .where(and(eq(bulkItems.operationId, operationId), inArray(dagActionRuns.outcome, [...OPEN_DAG_OUTCOMES])));
  return rows.map((row) => row.id);
}
