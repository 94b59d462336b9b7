/**
 * Undo runs' reads and writes: the undo runs of a run (retention_runs mode 'undo', undo_of_run_id), the assets it
 * acted on with their catalog rows, and a new undo run with its restore actions. The run asked to be undone is
 * read with findRun (retention-runs.repository.ts).
 */
import { and, asc, eq } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from './client.ts';
import { retentionRuns } from './schema.ts';
import { withTransaction } from './transaction.ts';
import type { AssetAction } from '../domain/action-names.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { UndoAssetRow, UndoDecision } from '../domain/retention-undo.ts';
import type { RetentionRun } from './retention.repository.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Every undo run of `runId`, oldest first. */
export async function findUndoRuns(db: Db, runId: number): Promise<RetentionRun[]> {
  return db
    .select()
    .from(retentionRuns)
    .where(and(eq(retentionRuns.mode, 'undo'), eq(retentionRuns.undoOfRunId, runId)))
    .orderBy(asc(retentionRuns.id));
}

/** The action the run took, as its first applied action records it (every action of a run is the same one). */
export async function appliedActionOf(db: Queryable, runId: number): Promise<{ action: AssetAction; applied: number } | undefined> {
  const result = await db.query<{ action: AssetAction; applied: number }>(
    `SELECT min(action) AS action, count(*)::int AS applied FROM retention_actions WHERE run_id = $1 AND state = 'applied' HAVING count(*) > 0`,
    [runId],
  );
  return result.rows[0];
}

export interface UndoCandidate {
  assetId: string;
  rule: string;
  /** undefined when the asset is no longer in the catalog */
  row: UndoAssetRow | undefined;
}

interface CandidateRow {
  asset_id: string;
  rule: string;
  in_catalog: boolean;
  trashed_at: Date | null;
  removed_at: Date | null;
  applied_at: Date | null;
}

const toCandidate = (row: CandidateRow): UndoCandidate => ({
  assetId: row.asset_id,
  rule: row.rule,
  row: row.in_catalog ? { trashedAt: row.trashed_at, removedAt: row.removed_at, actedAt: row.applied_at } : undefined,
});

/**
 * The assets run `runId` acted on (applied) with their catalog rows, except those an earlier undo run of it
 * already restored or skipped: only what no undo has settled yet (a failed restore is tried again).
 */
export async function loadUndoCandidates(db: Queryable, runId: number): Promise<UndoCandidate[]> {
  const result = await db.query<CandidateRow>(
    `SELECT a.asset_id, a.rule, c.asset_id IS NOT NULL AS in_catalog, c.trashed_at, c.removed_at, a.applied_at
       FROM retention_actions a
       LEFT JOIN assets c ON c.provider = a.provider AND c.asset_id = a.asset_id
      WHERE a.run_id = $1 AND a.state = 'applied'
        AND NOT EXISTS (
          SELECT 1 FROM retention_actions u JOIN retention_runs r ON r.id = u.run_id
           WHERE r.mode = 'undo' AND r.undo_of_run_id = $1 AND u.provider = a.provider AND u.asset_id = a.asset_id
             AND u.state IN ('applied', 'skipped'))
      ORDER BY a.asset_id`,
    [runId],
  );
  return result.rows.map(toCandidate);
}

/** The planned actions of an undo run with their catalog rows: checked again when an interrupted undo resumes. */
export async function loadPlannedUndoActions(db: Queryable, undoRunId: number): Promise<Array<UndoCandidate & { id: number }>> {
  const result = await db.query<CandidateRow & { id: number }>(
    `SELECT u.id, u.asset_id, u.rule, c.asset_id IS NOT NULL AS in_catalog, c.trashed_at, c.removed_at,
            (SELECT o.applied_at FROM retention_actions o JOIN retention_runs ur ON ur.undo_of_run_id = o.run_id
              WHERE ur.id = u.run_id AND o.provider = u.provider AND o.asset_id = u.asset_id) AS applied_at
       FROM retention_actions u
       LEFT JOIN assets c ON c.provider = u.provider AND c.asset_id = u.asset_id
      WHERE u.run_id = $1 AND u.state = 'planned'
      ORDER BY u.id`,
    [undoRunId],
  );
  return result.rows.map((row) => ({ id: row.id, ...toCandidate(row) }));
}

export interface NewUndoRun {
  provider: ProviderName;
  undoOfRunId: number;
  startedBy: string;
  evaluatedAt: Date;
  undoAction: AssetAction;
}

/** The undo run and its actions (planned, or skipped with the reason), in one transaction. */
export async function insertUndoRun(
  pool: pg.Pool,
  run: NewUndoRun,
  decisions: ReadonlyArray<{ assetId: string; rule: string; decision: UndoDecision }>,
): Promise<number> {
  return withTransaction(pool, async (client) => {
    const inserted = await client.query<{ id: number }>(
      `INSERT INTO retention_runs (mode, providers, evaluated_at, state, started_by, undo_of_run_id)
       VALUES ('undo', $1, $2, 'applying', $3, $4) RETURNING id`,
      [[run.provider], run.evaluatedAt, run.startedBy, run.undoOfRunId],
    );
    const id = inserted.rows[0]?.id;
    if (id === undefined) throw new Error('insert into retention_runs returned no row');
    await client.query(
      `INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at)
       SELECT $1, $2, d.asset_id, d.rule, $3, d.state, d.reason, $4
         FROM unnest($5::text[], $6::text[], $7::text[], $8::text[]) AS d(asset_id, rule, state, reason)`,
      [
        id,
        run.provider,
        run.undoAction,
        run.evaluatedAt,
        decisions.map((d) => d.assetId),
        decisions.map((d) => d.rule),
        decisions.map((d) => d.decision.state),
        decisions.map((d) => d.decision.reason),
      ],
    );
    return id;
  });
}
