import type pg from 'pg';

export interface CatalogRow {
  asset_id: string;
  kind: string | null;
  status: string | null;
  title: string | null;
  url: string | null;
  width: number | null;
  height: number | null;
  duration_seconds: string | null;
  frames: number | null;
  size_bytes: number | null;
  tags: string[] | null;
  provider_created_at: Date | null;
  provider_updated_at: Date | null;
  trashed_at: Date | null;
  removed_at: Date | null;
  raw: unknown;
}

/** The catalog as reporting sees it (the catalog_assets view), keyed by asset id. */
export async function catalogOf(pool: pg.Pool, provider: string): Promise<Map<string, CatalogRow>> {
  const result = await pool.query<CatalogRow>('SELECT * FROM catalog_assets WHERE provider = $1', [provider]);
  return new Map(result.rows.map((row) => [row.asset_id, row]));
}

/** Rows' physical identity: unchanged when a sync did not rewrite them. */
export async function rowVersions(pool: pg.Pool, provider: string): Promise<Map<string, string>> {
  const result = await pool.query<{ asset_id: string; version: string }>(
    `SELECT asset_id, xmin::text || ':' || ctid::text AS version FROM assets WHERE provider = $1`,
    [provider],
  );
  return new Map(result.rows.map((row) => [row.asset_id, row.version]));
}

export async function waitFor<T>(probe: () => Promise<T | undefined>, pollMs = 100): Promise<T> {
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * Waits until `read()` has not changed for `quietMs`: after a client is killed, the simulator may still be
 * answering (and counting) requests that were already in flight.
 */
export async function settledValue(read: () => number, quietMs = 300): Promise<number> {
  let value = read();
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, quietMs));
    const next = read();
    if (next === value) return value;
    value = next;
  }
}
