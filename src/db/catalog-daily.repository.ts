/**
 * The daily figures (catalog_daily_figures, read through the catalog_daily view): live assets and their bytes per
 * provider, status and kind, one set of rows per UTC day. A day that has ended is reconstructed from the catalog's
 * history as of its end; today is read from the live catalog as it stands.
 */
import type pg from 'pg';
import { withTransaction } from './transaction.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

export interface DailyFigure {
  provider: string;
  status: string | null;
  kind: string | null;
  assets: number;
  bytes: number;
}

/**
 * The catalog as it was just before instant $1, grouped: an asset counts when it was first seen before $1 and was
 * present then, with the status it had then.
 * - present: decided by its latest removal or return ('removed'/'appeared' change) before $1; with none, by its
 *   earliest one from $1 on (a removal then means it was present, a return that it was not); with none at all,
 *   by removed_at (null or from $1 on), which also covers a removal recorded before the history began.
 * - status: the old value of its earliest status change from $1 on, else its current status.
 * - kind and size_bytes: the current values; the history does not track them.
 * Changes are ordered by observed_at (the writer's clock), then by id for changes stamped alike. Each CTE reads
 * one slice of asset_changes once, so a day costs one pass over assets whatever the number of assets changed.
 */
const FIGURES_AS_OF = `
WITH presence_before AS (
  SELECT DISTINCT ON (provider, asset_id) provider, asset_id, change
  FROM asset_changes
  WHERE change IN ('removed', 'appeared') AND observed_at < $1
  ORDER BY provider, asset_id, observed_at DESC, id DESC
), presence_after AS (
  SELECT DISTINCT ON (provider, asset_id) provider, asset_id, change
  FROM asset_changes
  WHERE change IN ('removed', 'appeared') AND observed_at >= $1
  ORDER BY provider, asset_id, observed_at, id
), status_after AS (
  SELECT DISTINCT ON (provider, asset_id) provider, asset_id, old_value
  FROM asset_changes
  WHERE change = 'status' AND observed_at >= $1
  ORDER BY provider, asset_id, observed_at, id
)
SELECT a.provider,
  CASE WHEN s.asset_id IS NULL THEN a.status ELSE s.old_value END AS status,
  a.kind,
  count(*)::bigint AS assets,
  coalesce(sum(a.size_bytes), 0)::bigint AS bytes
FROM assets a
LEFT JOIN presence_before pb ON pb.provider = a.provider AND pb.asset_id = a.asset_id
LEFT JOIN presence_after pa ON pa.provider = a.provider AND pa.asset_id = a.asset_id
LEFT JOIN status_after s ON s.provider = a.provider AND s.asset_id = a.asset_id
WHERE a.first_seen_at < $1
  AND CASE
    WHEN pb.change IS NOT NULL THEN pb.change = 'appeared'
    WHEN pa.change IS NOT NULL THEN pa.change = 'removed'
    ELSE a.removed_at IS NULL OR a.removed_at >= $1
  END
GROUP BY 1, 2, 3`;

/** The live catalog now: what reporting counts as live (removed_at null; trashed assets are still at the provider). */
const FIGURES_NOW = `
SELECT provider, status, kind, count(*)::bigint AS assets, coalesce(sum(size_bytes), 0)::bigint AS bytes
FROM assets
WHERE removed_at IS NULL
GROUP BY 1, 2, 3`;

/** A day's rows are final once their as_of is the day's end (midnight UTC after it). */
const IS_FINAL = `as_of >= (day + 1)::timestamp AT TIME ZONE 'UTC'`;

/**
 * One lock for all the daily figures, taken by each day's transaction: two runs at once (the job and the CLI) write
 * their days one transaction after the other, never the same day side by side.
 */
const DAILY_LOCK = `SELECT pg_advisory_xact_lock(hashtextextended('catalog-daily-figures', 0))`;

/** The catalog's figures just before `at`, reconstructed from its history. */
export async function figuresAsOf(db: Queryable, at: Date): Promise<DailyFigure[]> {
  return (await db.query<DailyFigure>(FIGURES_AS_OF, [at])).rows;
}

/** The latest day with final figures, if any. */
export async function readLastFinalDay(db: Queryable): Promise<string | undefined> {
  const result = await db.query<{ day: string | null }>(`SELECT max(day)::text AS day FROM catalog_daily_figures WHERE ${IS_FINAL}`);
  return result.rows[0]?.day ?? undefined;
}

/** The UTC date of the catalog's first asset: min(first_seen_at) is a full scan of assets, so read it only when needed. */
export async function readEarliestDay(db: Queryable): Promise<string | undefined> {
  const result = await db.query<{ day: string | null }>(`SELECT (min(first_seen_at) AT TIME ZONE 'UTC')::date::text AS day FROM assets`);
  return result.rows[0]?.day ?? undefined;
}

/** The days from `from` on whose figures are final. */
export async function finalDaysFrom(db: Queryable, from: string): Promise<Set<string>> {
  const result = await db.query<{ day: string }>(`SELECT DISTINCT day::text AS day FROM catalog_daily_figures WHERE day >= $1::date AND ${IS_FINAL}`, [from]);
  return new Set(result.rows.map((row) => row.day));
}

export interface DayWritten {
  day: string;
  final: boolean;
  asOf: Date;
  /** rows written: one per provider, status and kind */
  rows: number;
  assets: number;
  bytes: number;
}

/**
 * Replaces one day's figures in one transaction: DELETE the day's rows, INSERT the new ones, as of the day's end
 * (`final`: reconstructed from history) or of now (the live catalog, labelled `asOf`).
 */
export async function replaceDayFigures(pool: pg.Pool, day: { day: string; final: boolean; asOf: Date }): Promise<DayWritten> {
  return withTransaction(pool, async (client) => {
    await client.query(DAILY_LOCK);
    await client.query('DELETE FROM catalog_daily_figures WHERE day = $1::date', [day.day]);
    // $1 is the instant the figures describe: the reconstruction's T, and as_of either way
    const source = day.final ? FIGURES_AS_OF : FIGURES_NOW;
    const result = await client.query<{ rows: number; assets: number; bytes: number }>(
      `WITH figures AS (${source}),
       inserted AS (
         INSERT INTO catalog_daily_figures (provider, day, status, kind, assets, bytes, as_of)
         SELECT provider, $2::date, status, kind, assets, bytes, $1::timestamptz FROM figures
         RETURNING assets, bytes
       )
       SELECT count(*)::int AS rows, coalesce(sum(assets), 0)::bigint AS assets, coalesce(sum(bytes), 0)::bigint AS bytes FROM inserted`,
      [day.asOf, day.day],
    );
    const totals = result.rows[0] ?? { rows: 0, assets: 0, bytes: 0 };
    return { ...day, ...totals };
  });
}

export interface StoredFigure extends DailyFigure {
  day: string;
  asOf: Date;
  computedAt: Date;
}

/** The stored figures, oldest day first (the tests read what the runs wrote; `catalog daily --json` prints the days it computed instead). */
export async function readDayFigures(db: Queryable, days?: { from?: string; to?: string }): Promise<StoredFigure[]> {
  const result = await db.query<StoredFigure>(
    `SELECT day::text AS day, provider, status, kind, assets, bytes, as_of AS "asOf", computed_at AS "computedAt"
     FROM catalog_daily_figures
     WHERE ($1::date IS NULL OR day >= $1::date) AND ($2::date IS NULL OR day <= $2::date)
     ORDER BY day, provider, status NULLS FIRST, kind NULLS FIRST`,
    [days?.from ?? null, days?.to ?? null],
  );
  return result.rows;
}
