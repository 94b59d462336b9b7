/**
 * Retention runs as operators look at them and as reviewed plans move: listing runs with their action counts,
 * one run with its actions, the apply runs that carry out a plan, and a plan's approval or expiry.
 */
import { and, asc, desc, eq, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from './client.ts';
import { retentionActions, retentionRuns } from './schema.ts';
import type { ActionState, RetentionActionRow, RetentionRun } from './retention.repository.ts';

export async function findRun(db: Db, runId: number): Promise<RetentionRun | undefined> {
  const [run] = await db.select().from(retentionRuns).where(eq(retentionRuns.id, runId)).limit(1);
  return run;
}

/** The apply runs that carry out the plan run, oldest first. */
export async function findAppliesOfPlan(db: Db, planRunId: number): Promise<RetentionRun[]> {
  return db.select().from(retentionRuns).where(and(eq(retentionRuns.mode, 'apply'), eq(retentionRuns.planRunId, planRunId))).orderBy(asc(retentionRuns.id));
}

export type ActionCounts = Record<ActionState, number>;

export interface RunWithCounts {
  run: RetentionRun;
  counts: ActionCounts;
}

const NO_COUNTS: ActionCounts = { planned: 0, in_flight: 0, applied: 0, failed: 0, skipped: 0 };

/** The newest runs (of one provider, if given) with their actions counted by state. */
export async function listRuns(db: Db, pool: pg.Pool, options: { provider?: string | undefined; limit: number }): Promise<RunWithCounts[]> {
  const runs = await db
    .select()
    .from(retentionRuns)
    .where(options.provider === undefined ? undefined : sql`${retentionRuns.providers} @> ARRAY[${options.provider}]::text[]`)
    .orderBy(desc(retentionRuns.id))
    .limit(options.limit);
  if (runs.length === 0) return [];
  const result = await pool.query<{ run_id: number; state: ActionState; n: number }>(
    'SELECT run_id::int AS run_id, state, count(*)::int AS n FROM retention_actions WHERE run_id = ANY ($1::bigint[]) GROUP BY run_id, state',
    [runs.map((run) => run.id)],
  );
  const counts = new Map<number, ActionCounts>();
  for (const row of result.rows) {
    const entry = counts.get(row.run_id) ?? { ...NO_COUNTS };
    entry[row.state] = row.n;
    counts.set(row.run_id, entry);
  }
  return runs.map((run) => ({ run, counts: counts.get(run.id) ?? { ...NO_COUNTS } }));
}

export async function loadRunActions(db: Db, runId: number): Promise<RetentionActionRow[]> {
  return db.select().from(retentionActions).where(eq(retentionActions.runId, runId)).orderBy(asc(retentionActions.id));
}

/** Records the approval of a plan awaiting it; false when it was not (any more) awaiting approval. */
export async function markPlanApproved(db: Db, runId: number, approval: { at: Date; by: string }): Promise<boolean> {
  const updated = await db
    .update(retentionRuns)
    .set({ state: 'planned', approvedAt: approval.at, approvedBy: approval.by })
    .where(and(eq(retentionRuns.id, runId), eq(retentionRuns.state, 'awaiting_approval')))
    .returning({ id: retentionRuns.id });
  return updated.length > 0;
}

/** Plans still awaiting approval at `now` past their expiry become `expired`; returns their ids. */
export async function expireOverduePlans(db: Db, now: Date, runId?: number): Promise<number[]> {
  const overdue = and(eq(retentionRuns.state, 'awaiting_approval'), sql`${retentionRuns.expiresAt} <= ${now.toISOString()}::timestamptz`);
  const updated = await db
    .update(retentionRuns)
    .set({ state: 'expired' })
    .where(runId === undefined ? overdue : and(overdue, eq(retentionRuns.id, runId)))
    .returning({ id: retentionRuns.id });
  return updated.map((row) => row.id);
}

/** A recorded plan becomes one awaiting approval until `expiresAt`; `db` may be a transaction's client. */
export async function markAwaitingApproval(db: Pick<pg.PoolClient, 'query'>, runId: number, expiresAt: Date): Promise<void> {
  await db.query(`UPDATE retention_runs SET state = 'awaiting_approval', expires_at = $2 WHERE id = $1 AND mode = 'plan' AND state = 'planned'`, [runId, expiresAt]);
}
