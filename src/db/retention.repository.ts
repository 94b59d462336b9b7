/**
 * Retention's reads and writes: the catalog rows rules are evaluated on, runs and their persisted actions, and
 * the state changes of an action (planned → in_flight → applied | failed, or skipped). Plain SQL through pg where
 * rows come in thousands (catalog rows, plan inserts); drizzle for the rest.
 */
import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from './client.ts';
import { retentionActions, retentionRuns } from './schema.ts';
import { withTransaction } from './transaction.ts';
import type { RetentionAssetRow, RetentionDecision } from '../domain/retention-evaluate.ts';
import type { AssetAction } from '../domain/action-names.ts';
import type { ProviderName } from '../domain/provider-facts.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

export type RetentionRun = typeof retentionRuns.$inferSelect;
export type RetentionActionRow = typeof retentionActions.$inferSelect;
export type RunMode = 'plan' | 'apply';
/** every state a run can be in: the type, and the list the metrics report zeros for */
export const RUN_STATES = ['planned', 'awaiting_approval', 'expired', 'applying', 'done', 'refused', 'failed'] as const;
export type RunState = (typeof RUN_STATES)[number];
/** who or what started a run */
export type RunStarter = 'cli' | 'schedule' | 'admin';
/** every state an action can be in, in the order a run's counts are shown */
export const ACTION_STATES = ['planned', 'in_flight', 'applied', 'failed', 'skipped'] as const;
export type ActionState = (typeof ACTION_STATES)[number];

const INSERT_CHUNK = 5_000;

export async function loadRetentionRows(db: Queryable, provider: ProviderName): Promise<RetentionAssetRow[]> {
  const result = await db.query<{
    asset_id: string;
    kind: string | null;
    status: string | null;
    category: string | null;
    tags: string[] | null;
    provider_created_at: Date | null;
    provider_updated_at: Date | null;
    first_seen_at: Date;
    last_changed_at: Date;
    trashed_at: Date | null;
    removed_at: Date | null;
  }>(
    `SELECT asset_id, kind, status, category, tags, provider_created_at, provider_updated_at, first_seen_at,
            last_changed_at, trashed_at, removed_at
       FROM assets WHERE provider = $1 AND removed_at IS NULL ORDER BY asset_id`,
    [provider],
  );
  return result.rows.map((row) => ({
    assetId: row.asset_id,
    kind: row.kind,
    status: row.status,
    category: row.category,
    tags: row.tags,
    providerCreatedAt: row.provider_created_at,
    providerUpdatedAt: row.provider_updated_at,
    firstSeenAt: row.first_seen_at,
    lastChangedAt: row.last_changed_at,
    trashedAt: row.trashed_at,
    removedAt: row.removed_at,
  }));
}

export interface NewRun {
  mode: RunMode;
  provider: ProviderName;
  evaluatedAt: Date;
  state: RunState;
  refusal?: string | null;
  rulesDigest: string;
  summary?: Record<string, unknown>;
  startedBy?: RunStarter | undefined;
  /** an apply of a reviewed plan: the plan run it carries out */
  planRunId?: number | undefined;
  /** a plan awaiting approval: not applied after this */
  expiresAt?: Date | undefined;
}

export async function insertRun(db: Queryable, run: NewRun): Promise<number> {
  const result = await db.query<{ id: number }>(
    `INSERT INTO retention_runs (mode, providers, evaluated_at, state, refusal, rules_digest, summary, finished_at, started_by, plan_run_id, expires_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, CASE WHEN $4 IN ('planned', 'awaiting_approval', 'refused') THEN now() END, $8, $9, $10) RETURNING id`,
    [
      run.mode,
      [run.provider],
      run.evaluatedAt,
      run.state,
      run.refusal ?? null,
      run.rulesDigest,
      run.summary ?? null,
      run.startedBy ?? null,
      run.planRunId ?? null,
      run.expiresAt ?? null,
    ],
  );
  const id = result.rows[0]?.id;
  if (id === undefined) throw new Error('insert into retention_runs returned no row');
  return id;
}

async function insertActions(
  db: Queryable,
  runId: number,
  provider: ProviderName,
  decisions: readonly RetentionDecision[],
  decidedAt: Date,
): Promise<void> {
  for (let i = 0; i < decisions.length; i += INSERT_CHUNK) {
    const slice = decisions.slice(i, i + INSERT_CHUNK);
    await db.query(
      `INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at)
       SELECT $1, $2, d.asset_id, d.rule, d.action, d.state, d.reason, $3
         FROM unnest($4::text[], $5::text[], $6::text[], $7::text[], $8::text[]) AS d(asset_id, rule, action, state, reason)`,
      [
        runId,
        provider,
        decidedAt,
        slice.map((d) => d.assetId),
        slice.map((d) => d.rule),
        slice.map((d) => d.action),
        slice.map((d) => d.state),
        slice.map((d) => d.reason),
      ],
    );
  }
}

/** A run and its decisions, in one transaction: a run is never recorded without the actions it planned. */
export async function insertRunWithActions(pool: pg.Pool, run: NewRun, decisions: readonly RetentionDecision[]): Promise<number> {
  return withTransaction(pool, async (client) => {
    const id = await insertRun(client, run);
    await insertActions(client, id, run.provider, decisions, run.evaluatedAt);
    return id;
  });
}

/** The apply run of this provider that has not finished (a crash, a kill, a stop signal left it), if any. */
export async function findUnfinishedApplyRun(db: Db, provider: ProviderName): Promise<RetentionRun | undefined> {
  const [run] = await db
    .select()
    .from(retentionRuns)
    .where(and(eq(retentionRuns.mode, 'apply'), eq(retentionRuns.state, 'applying'), sql`${retentionRuns.providers} = ARRAY[${provider}]::text[]`))
    .orderBy(asc(retentionRuns.id))
    .limit(1);
  return run;
}

export async function loadActions(db: Db, runId: number, states: readonly ActionState[]): Promise<RetentionActionRow[]> {
  return db
    .select()
    .from(retentionActions)
    .where(and(eq(retentionActions.runId, runId), inArray(retentionActions.state, [...states])))
    .orderBy(asc(retentionActions.id));
}

export async function countActionsByState(db: Queryable, runId: number): Promise<Record<ActionState, number>> {
  const result = await db.query<{ state: ActionState; n: number }>(
    'SELECT state, count(*)::int AS n FROM retention_actions WHERE run_id = $1 GROUP BY state',
    [runId],
  );
  const counts: Record<ActionState, number> = { planned: 0, in_flight: 0, applied: 0, failed: 0, skipped: 0 };
  for (const row of result.rows) counts[row.state] = row.n;
  return counts;
}

export interface ClaimedAction {
  id: number;
  assetId: string;
  /** the run's retention action, or the action that reverses it in an undo run */
  action: AssetAction;
  attempts: number;
}

/**
 * Marks the next planned actions in_flight, committed before any call is made: whatever happens to the process
 * after this, the next apply knows these may have reached the provider and verifies them before acting again.
 */
export async function claimPlannedActions(db: Queryable, runId: number, limit: number): Promise<ClaimedAction[]> {
  const result = await db.query<{ id: number; asset_id: string; action: AssetAction; attempts: number }>(
    `UPDATE retention_actions SET state = 'in_flight', attempts = attempts + 1
      WHERE id IN (SELECT id FROM retention_actions WHERE run_id = $1 AND state = 'planned' ORDER BY id LIMIT $2)
        AND state = 'planned'
      RETURNING id, asset_id, action, attempts`,
    [runId, limit],
  );
  return result.rows.map((row) => ({ id: row.id, assetId: row.asset_id, action: row.action, attempts: row.attempts })).sort((a, b) => a.id - b.id);
}

/** Outcome of in-flight (or planned) actions. Only actions still in one of `from` change: a replay is a no-op. */
export async function settleActions(
  db: Queryable,
  ids: readonly number[],
  outcome: { state: 'applied'; at: Date; note?: string } | { state: 'failed'; error: string } | { state: 'planned' } | { state: 'skipped'; reason: string },
  from: readonly ActionState[] = ['in_flight'],
): Promise<number> {
  if (ids.length === 0) return 0;
  const params: unknown[] = [ids, from];
  let set: string;
  switch (outcome.state) {
    case 'applied':
      params.push(outcome.at, outcome.note ?? null);
      set = `state = 'applied', applied_at = $3, error = NULL, reason = CASE WHEN $4::text IS NULL THEN reason ELSE reason || '; ' || $4 END`;
      break;
    case 'failed':
      params.push(outcome.error);
      set = `state = 'failed', error = $3`;
      break;
    case 'planned':
      set = `state = 'planned'`;
      break;
    case 'skipped':
      params.push(outcome.reason);
      set = `state = 'skipped', reason = $3 || '; planned as: ' || reason`;
      break;
  }
  const result = await db.query(`UPDATE retention_actions SET ${set} WHERE id = ANY ($1::bigint[]) AND state = ANY ($2::text[])`, params);
  return result.rowCount ?? 0;
}

export async function updateRun(db: Db, runId: number, patch: Partial<Pick<RetentionRun, 'state' | 'refusal' | 'summary' | 'finishedAt'>>): Promise<void> {
  await db.update(retentionRuns).set(patch).where(eq(retentionRuns.id, runId));
}
