/**
 * The figures behind the catalog report page, over a window of UTC days: catalog size per provider and day (the
 * `catalog_daily` view), appearances and removals (`catalog_changes`), retention actions by state
 * (`retention_log`), finished sync runs with their duration and requests (`sync_runs`), and DAG runs by outcome
 * (`dag_runs`). One grouped query each, run side by side; only the sync runs are listed one by one, and capped.
 */
import { sql, type SQL } from 'drizzle-orm';
import type { ReportWindow } from '../domain/report-window.ts';
import type { Db } from './client.ts';

/** the newest finished runs of the window the page plots one by one; beyond it `truncated` says so */
export const MAX_SYNC_RUNS = 2_000;

// rows are type aliases, not interfaces: db.execute wants a Record<string, unknown>
export type CatalogSizeRow = {
  provider: string;
  day: string;
  /** the sum over the day's figures of every status and kind */
  assets: number;
  bytes: number;
};

export type ChangeRow = {
  provider: string;
  day: string;
  appeared: number;
  removed: number;
};

export type RetentionRow = {
  /** applied or failed: the day it was carried out (see `retention`); planned or skipped: the day it was decided */
  day: string;
  provider: string;
  state: string;
  actions: number;
};

export type SyncRunRow = {
  runId: number;
  provider: string;
  state: string;
  startedAt: string;
  finishedAt: string;
  seconds: number;
  requests: number;
};

export type DagOutcomeRow = {
  /** the day it ended, or started for a run still open */
  day: string;
  outcome: string;
  runs: number;
};

export interface CatalogTrends {
  /** the latest `as_of` of the window's daily figures: when the newest catalog figures were taken */
  catalogAsOf: string | null;
  catalogSize: CatalogSizeRow[];
  changes: ChangeRow[];
  retention: RetentionRow[];
  syncRuns: SyncRunRow[];
  /** more finished runs in the window than MAX_SYNC_RUNS: only the newest are listed */
  syncRunsTruncated: boolean;
  dagOutcomes: DagOutcomeRow[];
}

/** A timestamp's UTC day, as text (a pg `date` would arrive as a local-midnight Date). */
const utcDay = (column: SQL) => sql`((${column}) AT TIME ZONE 'UTC')::date::text`;
/** A timestamp as ISO 8601 in UTC, as JSON shows it (drizzle's execute hands timestamps over as pg's own text). */
const isoTime = (column: SQL) => sql`to_char((${column}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;

async function catalogSize(db: Db, window: ReportWindow) {
  const result = await db.execute<CatalogSizeRow & { asOf: string }>(sql`
    SELECT provider, day::text AS day, sum(assets)::bigint AS assets, sum(bytes)::float8 AS bytes, ${isoTime(sql`max(as_of)`)} AS "asOf"
    FROM catalog_daily
    WHERE day BETWEEN ${window.from}::date AND ${window.to}::date
    GROUP BY provider, day
    ORDER BY day, provider`);
  return result.rows;
}

async function changes(db: Db, window: ReportWindow): Promise<ChangeRow[]> {
  const result = await db.execute<ChangeRow>(sql`
    SELECT provider, ${utcDay(sql`observed_at`)} AS day,
      count(*) FILTER (WHERE change = 'appeared') AS appeared,
      count(*) FILTER (WHERE change = 'removed') AS removed
    FROM catalog_changes
    WHERE change IN ('appeared', 'removed') AND observed_at >= ${window.since} AND observed_at < ${window.until}
    GROUP BY 1, 2
    ORDER BY 2, 1`);
  return result.rows;
}

/**
 * An applied action carries its own applied_at; a failed one does not (settleActions and the ledger's abandon record
 * only the error), so it counts on the day the run that carried it out ended, or, while that run is still open, the
 * day it started (never null). Every action belongs to the run that carries it out: a reviewed plan's are copied
 * into its apply run, an undo's restores into the undo run. A run resumed on a later day thus counts its failures
 * on the day it finished, the instant history pruning also goes by. Planned and skipped: the day of the decision.
 */
async function retention(db: Db, window: ReportWindow): Promise<RetentionRow[]> {
  const result = await db.execute<RetentionRow>(sql`
    WITH dated AS (
      SELECT l.provider, l.state,
        CASE WHEN l.state IN ('applied', 'failed') THEN coalesce(l.applied_at, r.finished_at, r.started_at) ELSE l.decided_at END AS at
      FROM retention_log l JOIN retention_runs r ON r.id = l.run_id
    )
    SELECT ${utcDay(sql`at`)} AS day, provider, state, count(*) AS actions
    FROM dated
    WHERE at >= ${window.since} AND at < ${window.until}
    GROUP BY 1, 2, 3
    ORDER BY 1, 2, 3`);
  return result.rows;
}

async function syncRuns(db: Db, window: ReportWindow): Promise<{ runs: SyncRunRow[]; truncated: boolean }> {
  const result = await db.execute<SyncRunRow>(sql`
    SELECT id AS "runId", provider, state, ${isoTime(sql`started_at`)} AS "startedAt", ${isoTime(sql`finished_at`)} AS "finishedAt",
      extract(epoch FROM finished_at - started_at)::float8 AS seconds, requests
    FROM sync_runs
    WHERE finished_at >= ${window.since} AND finished_at < ${window.until}
    ORDER BY finished_at DESC, id DESC
    LIMIT ${MAX_SYNC_RUNS + 1}`);
  return { runs: result.rows.slice(0, MAX_SYNC_RUNS).reverse(), truncated: result.rows.length > MAX_SYNC_RUNS };
}

async function dagOutcomes(db: Db, window: ReportWindow): Promise<DagOutcomeRow[]> {
  const at = sql`coalesce(finished_at, started_at)`;
  const result = await db.execute<DagOutcomeRow>(sql`
    SELECT ${utcDay(at)} AS day, outcome, count(*) AS runs
    FROM dag_runs
    WHERE ${at} >= ${window.since} AND ${at} < ${window.until}
    GROUP BY 1, 2
    ORDER BY 1, 2`);
  return result.rows;
}

export async function readCatalogTrends(db: Db, window: ReportWindow): Promise<CatalogTrends> {
  const [size, changed, retained, syncs, dags] = await Promise.all([
    catalogSize(db, window),
    changes(db, window),
    retention(db, window),
    syncRuns(db, window),
    dagOutcomes(db, window),
  ]);
  // ISO strings of one format compare as their instants do
  const asOf = size.reduce<string | null>((latest, row) => (latest === null || row.asOf > latest ? row.asOf : latest), null);
  return {
    catalogAsOf: asOf,
    catalogSize: size.map(({ provider, day, assets, bytes }) => ({ provider, day, assets, bytes })),
    changes: changed,
    retention: retained,
    syncRuns: syncs.runs,
    syncRunsTruncated: syncs.truncated,
    dagOutcomes: dags,
  };
}
