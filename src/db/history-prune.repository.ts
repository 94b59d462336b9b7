/**
 * Deletes the worker's own finished history older than a cutoff: sync runs with their pages and quarantined
 * records, retention runs with their actions (the retention_log rows), bulk operations with their items, and DAG
 * runs, and notification events delivered before the cutoff. Each table is pruned in batches of one short statement each, so no step holds many row locks or a long
 * transaction, and a stop between batches loses nothing (the next prune carries on).
 *
 * Never deleted: open work (a running sync, an applying retention run, an unfinished bulk operation, a DAG run not
 * yet ended or whose bulk item is still open, an event not yet delivered), the last complete and the last finished sync of each provider
 * (retention's freshness check, `report` and the catalog_assets view read them), and the catalog itself.
 */
import type pg from 'pg';

/** In the order they are pruned: children before the rows they belong to. */
export const HISTORY_TABLES = [
  'sync_pages',
  'sync_runs',
  'quarantine',
  'retention_actions',
  'retention_runs',
  'bulk_items',
  'bulk_operations',
  'dag_action_runs',
  'notification_events',
] as const;
export type HistoryTable = (typeof HISTORY_TABLES)[number];
export type HistoryCounts = Record<HistoryTable, number>;

export const DEFAULT_PRUNE_BATCH = 2_000;

export interface PruneOptions {
  /** rows that finished before this are history */
  cutoff: Date;
  /** rows per DELETE statement */
  batchSize?: number;
  /** checked between batches: a stop leaves the rest for the next prune */
  signal?: AbortSignal;
}

export interface PruneResult {
  deleted: HistoryCounts;
  /** false when the signal stopped it before every table was done */
  finished: boolean;
}

type Queryable = Pick<pg.Pool, 'query'>;

/** Sync runs that are history: ended before the cutoff, and not one of the runs `keptSyncRunIds` names. */
const PRUNABLE_SYNC_RUN = `r.state <> 'running' AND r.finished_at IS NOT NULL AND r.finished_at < $1 AND NOT (r.id = ANY ($2::bigint[]))`;
const PRUNABLE_RETENTION_RUN = `r.state <> 'applying' AND r.finished_at < $1`;
const PRUNABLE_BULK_OPERATION = `o.state = 'done' AND o.finished_at < $1`;

/** One DELETE per table, taking at most the last parameter's number of rows. */
const DELETE_BATCH: Record<HistoryTable, { sql: string; needsKeptRuns: boolean }> = {
  // a run's pages are read only to resume it: those of any run that ended before the cutoff go, kept runs' too
  sync_pages: {
    needsKeptRuns: false,
    sql: `DELETE FROM sync_pages WHERE (run_id, page_key) IN (
            SELECT p.run_id, p.page_key FROM sync_pages p JOIN sync_runs r ON r.id = p.run_id
             WHERE r.state <> 'running' AND r.finished_at < $1 LIMIT $2)`,
  },
  sync_runs: {
    needsKeptRuns: true,
    sql: `DELETE FROM sync_runs WHERE id IN (SELECT r.id FROM sync_runs r WHERE ${PRUNABLE_SYNC_RUN} LIMIT $3)`,
  },
  // a record stays while the run that set it aside does (open, recent or kept); its age alone does not decide
  quarantine: {
    needsKeptRuns: true,
    sql: `DELETE FROM quarantine WHERE id IN (
            SELECT q.id FROM quarantine q
             WHERE q.received_at < $1
               AND NOT EXISTS (SELECT 1 FROM sync_runs r WHERE r.id = q.run_id AND NOT (${PRUNABLE_SYNC_RUN}))
             LIMIT $3)`,
  },
  retention_actions: {
    needsKeptRuns: false,
    sql: `DELETE FROM retention_actions WHERE id IN (
            SELECT a.id FROM retention_actions a JOIN retention_runs r ON r.id = a.run_id
             WHERE ${PRUNABLE_RETENTION_RUN} LIMIT $2)`,
  },
  retention_runs: {
    needsKeptRuns: false,
    sql: `DELETE FROM retention_runs WHERE id IN (
            SELECT r.id FROM retention_runs r
             WHERE ${PRUNABLE_RETENTION_RUN} AND NOT EXISTS (SELECT 1 FROM retention_actions a WHERE a.run_id = r.id)
             LIMIT $2)`,
  },
  bulk_items: {
    needsKeptRuns: false,
    sql: `DELETE FROM bulk_items WHERE id IN (
            SELECT i.id FROM bulk_items i JOIN bulk_operations o ON o.id = i.operation_id
             WHERE ${PRUNABLE_BULK_OPERATION} LIMIT $2)`,
  },
  bulk_operations: {
    needsKeptRuns: false,
    sql: `DELETE FROM bulk_operations WHERE id IN (
            SELECT o.id FROM bulk_operations o
             WHERE ${PRUNABLE_BULK_OPERATION} AND NOT EXISTS (SELECT 1 FROM bulk_items i WHERE i.operation_id = o.id)
             LIMIT $2)`,
  },
  // a bulk item still open settles by its DAG run, so that run stays whatever its age
  dag_action_runs: {
    needsKeptRuns: false,
    sql: `DELETE FROM dag_action_runs WHERE id IN (
            SELECT d.id FROM dag_action_runs d
             WHERE d.outcome IN ('succeeded', 'failed', 'timed_out') AND d.finished_at < $1
               AND NOT EXISTS (SELECT 1 FROM bulk_items i WHERE i.id = d.bulk_item_id AND i.state IN ('pending', 'in_flight'))
             LIMIT $2)`,
  },
  // an event no receiver has accepted is still owed, whatever its age
  notification_events: {
    needsKeptRuns: false,
    sql: `DELETE FROM notification_events WHERE id IN (
            SELECT e.id FROM notification_events e WHERE e.delivered_at IS NOT NULL AND e.delivered_at < $1 LIMIT $2)`,
  },
};

/**
 * Per provider, the latest complete run (what `report` and retention's staleness check read, by id; the
 * catalog_assets view, by finish time) and the latest finished one, complete or partial (a partial one there is
 * what keeps retention from acting). A run that completes while the prune runs is recent, so never at risk.
 */
export async function keptSyncRunIds(db: Queryable): Promise<number[]> {
  const result = await db.query<{ id: number }>(`
    (SELECT DISTINCT ON (provider) id FROM sync_runs WHERE state = 'complete' ORDER BY provider, id DESC)
    UNION
    (SELECT DISTINCT ON (provider) id FROM sync_runs WHERE state = 'complete' ORDER BY provider, finished_at DESC NULLS LAST)
    UNION
    (SELECT DISTINCT ON (provider) id FROM sync_runs WHERE state IN ('complete', 'partial') ORDER BY provider, id DESC)`);
  return result.rows.map((row) => Number(row.id));
}

function zeroCounts(): HistoryCounts {
  return Object.fromEntries(HISTORY_TABLES.map((table) => [table, 0])) as HistoryCounts;
}

export async function pruneHistory(pool: Queryable, options: PruneOptions): Promise<PruneResult> {
  const batchSize = options.batchSize ?? DEFAULT_PRUNE_BATCH;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer, got ${batchSize}`);
  const keptRuns = await keptSyncRunIds(pool);
  const deleted = zeroCounts();
  for (const table of HISTORY_TABLES) {
    const { sql, needsKeptRuns } = DELETE_BATCH[table];
    const params = needsKeptRuns ? [options.cutoff, keptRuns, batchSize] : [options.cutoff, batchSize];
    for (;;) {
      if (options.signal?.aborted === true) return { deleted, finished: false };
      const result = await pool.query(sql, params);
      const rows = result.rowCount ?? 0;
      deleted[table] += rows;
      if (rows < batchSize) break;
    }
  }
  return { deleted, finished: true };
}

/** Rows in each history table: what is left after a prune. */
export async function countHistoryRows(db: Queryable): Promise<HistoryCounts> {
  const result = await db.query<{ table_name: HistoryTable; n: number }>(
    HISTORY_TABLES.map((table) => `SELECT '${table}' AS table_name, count(*)::int AS n FROM ${table}`).join(' UNION ALL '),
  );
  const counts = zeroCounts();
  for (const row of result.rows) counts[row.table_name] = row.n;
  return counts;
}
