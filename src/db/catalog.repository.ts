/**
 * Catalog writes on the sync's hot path, in plain SQL through pg: a batch is COPYed into a temp table and
 * merged with one INSERT … ON CONFLICT, the fastest merge Postgres offers. A batch of assets the catalog has never
 * held (a first import, the rest of an interrupted one) can go straight into the table with one COPY.
 */
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { PoolClient } from 'pg';
import copyStreams from 'pg-copy-streams';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { CatalogRecord } from '../providers/provider.ts';
import { copyLine } from './copy-text.ts';
import { SQL_STATE, sqlStateOf } from './sql-state.ts';

const copyFrom = copyStreams.from;

/** COPY text: as a string, or already encoded as UTF-8 */
export type CopyData = string | Buffer;

export interface UpsertCounts {
  inserted: number;
  updated: number;
}

/** The columns of a COPY line, in order: the staging table has them, and `assets` has them by these names. */
const COPY_COLUMNS =
  'provider, asset_id, kind, status, title, description, category, url, width, height, duration_seconds, frames, ' +
  'size_bytes, tags, provider_created_at, provider_updated_at, trashed_at, raw';

const STAGING_TABLE = `
CREATE TEMP TABLE IF NOT EXISTS incoming_assets (
  provider text, asset_id text, kind text, status text, title text, description text, category text, url text, width int,
  height int, duration_seconds numeric, frames int, size_bytes bigint, tags text[], provider_created_at timestamptz,
  provider_updated_at timestamptz, trashed_at timestamptz, raw jsonb
) ON COMMIT DELETE ROWS`;

// Rows are merged in asset_id byte order (the order the page writer sorts its COPY lines in), so two batches
// committing side by side take their row locks in the same order and cannot deadlock. Only the two counts come
// back, not a row per asset.
const UPSERT_FROM_STAGING = `
WITH merged AS (
  INSERT INTO assets AS a (
    provider, asset_id, kind, status, title, description, category, url, width, height, duration_seconds, frames,
    size_bytes, tags, provider_created_at, provider_updated_at, trashed_at, raw, first_seen_at, last_seen_at, last_changed_at
  )
  SELECT $1, x.asset_id, x.kind, x.status, x.title, x.description, x.category, x.url, x.width, x.height,
    x.duration_seconds, x.frames, x.size_bytes, x.tags, x.provider_created_at, x.provider_updated_at, x.trashed_at,
    x.raw, $2, $2, $2
  FROM incoming_assets x
  ORDER BY x.asset_id COLLATE "C"
  ON CONFLICT (provider, asset_id) DO UPDATE SET
    kind = excluded.kind, status = excluded.status, title = excluded.title, description = excluded.description,
    category = excluded.category, url = excluded.url, width = excluded.width, height = excluded.height,
    duration_seconds = excluded.duration_seconds, frames = excluded.frames, size_bytes = excluded.size_bytes,
    tags = excluded.tags, provider_created_at = excluded.provider_created_at,
    provider_updated_at = excluded.provider_updated_at, trashed_at = excluded.trashed_at, raw = excluded.raw,
    removed_at = NULL, last_seen_at = excluded.last_seen_at, last_changed_at = excluded.last_changed_at
  -- an unchanged asset is not rewritten: no dead tuple, no WAL, no trigger
  WHERE a.raw IS DISTINCT FROM excluded.raw
     OR a.removed_at IS NOT NULL
     OR a.trashed_at IS DISTINCT FROM excluded.trashed_at
  RETURNING (xmax = 0) AS inserted
)
SELECT count(*) FILTER (WHERE inserted)::int AS inserted, count(*) FILTER (WHERE NOT inserted)::int AS updated FROM merged`;

/** One record as a line of COPY text (COPY_COLUMNS). */
export function copyRow(provider: ProviderName, record: CatalogRecord): string {
  return copyLine([
    provider,
    record.assetId,
    record.kind,
    record.status,
    record.title,
    record.description,
    record.category,
    record.url,
    record.width,
    record.height,
    record.durationSeconds,
    record.frames,
    record.sizeBytes,
    record.tags,
    record.providerCreatedAt,
    record.providerUpdatedAt,
    record.trashedAt,
    JSON.stringify(record.raw),
  ]);
}

/** Later records win over earlier ones with the same id (an asset can show on two pages while the listing shifts). */
export function dedupeRecords(records: CatalogRecord[]): CatalogRecord[] {
  const byId = new Map<string, CatalogRecord>();
  for (const record of records) byId.set(record.assetId, record);
  return byId.size === records.length ? records : [...byId.values()];
}

/**
 * Must run inside a transaction on `client`. `copyText` holds one `copyRow` line per asset, each id at most once:
 * it is COPYed into a session temp table (emptied at commit) and merged from there, the fastest path Postgres
 * offers short of a raw COPY.
 */
export async function upsertCopyRows(client: PoolClient, provider: ProviderName, copyText: CopyData, now: Date): Promise<UpsertCounts> {
  if (copyText.length === 0) return { inserted: 0, updated: 0 };
  await client.query(STAGING_TABLE);
  await pipeline(Readable.from([copyText]), client.query(copyFrom(`COPY incoming_assets (${COPY_COLUMNS}) FROM STDIN`)));
  const result = await client.query<UpsertCounts>(UPSERT_FROM_STAGING, [provider, now]);
  return result.rows[0] ?? { inserted: 0, updated: 0 };
}

/**
 * Must run inside a transaction on `client`. COPYs the rows straight into `assets`, as a raw COPY would, when
 * none of them is in the catalog yet; returns how many were inserted. When one is (a unique violation), the COPY
 * is rolled back to a savepoint, nothing is written and the answer is undefined: merge them instead.
 */
export async function insertNewCopyRows(client: PoolClient, copyText: CopyData): Promise<number | undefined> {
  if (copyText.length === 0) return 0;
  await client.query('SAVEPOINT direct_insert');
  const copy = client.query(copyFrom(`COPY assets (${COPY_COLUMNS}) FROM STDIN`));
  try {
    await pipeline(Readable.from([copyText]), copy);
  } catch (error) {
    if (sqlStateOf(error) !== SQL_STATE.uniqueViolation) throw error;
    await client.query('ROLLBACK TO SAVEPOINT direct_insert');
    return undefined;
  }
  await client.query('RELEASE SAVEPOINT direct_insert');
  return copy.rowCount;
}

/** Must run inside a transaction on `client`; see `upsertCopyRows`. */
export async function upsertRecords(client: PoolClient, provider: ProviderName, records: CatalogRecord[], now: Date): Promise<UpsertCounts> {
  return upsertCopyRows(client, provider, dedupeRecords(records).map((record) => copyRow(provider, record)).join(''), now);
}

export interface RemovalCandidate {
  assetId: string;
  trashed: boolean;
}

/** Live catalog assets that no committed page of the run listed: the candidates for removal. */
export async function liveAssetsNotSeen(client: PoolClient, provider: ProviderName, runId: number): Promise<RemovalCandidate[]> {
  const result = await client.query<{ asset_id: string; trashed: boolean }>(
    // EXCEPT, not NOT EXISTS: hashed whatever the statistics say, also before the catalog is first analyzed
    `SELECT a.asset_id, a.trashed_at IS NOT NULL AS trashed
     FROM assets a
     JOIN (
       SELECT asset_id FROM assets WHERE provider = $1 AND removed_at IS NULL
       EXCEPT
       SELECT unnest(asset_ids) FROM sync_pages WHERE run_id = $2
     ) missing ON missing.asset_id = a.asset_id
     WHERE a.provider = $1`,
    [provider, runId],
  );
  return result.rows.map((row) => ({ assetId: row.asset_id, trashed: row.trashed }));
}

export async function countLiveAssets(client: Pick<PoolClient, 'query'>, provider: ProviderName): Promise<{ live: number; trashed: number }> {
  const result = await client.query<{ live: number; trashed: number }>(
    `SELECT count(*)::int AS live, count(trashed_at)::int AS trashed FROM assets WHERE provider = $1 AND removed_at IS NULL`,
    [provider],
  );
  return result.rows[0] ?? { live: 0, trashed: 0 };
}

export async function markTrashed(client: PoolClient, provider: ProviderName, assetId: string, at: Date): Promise<boolean> {
  const result = await client.query(
    `UPDATE assets SET trashed_at = $3 WHERE provider = $1 AND asset_id = $2 AND trashed_at IS DISTINCT FROM $3`,
    [provider, assetId, at],
  );
  return (result.rowCount ?? 0) > 0;
}
