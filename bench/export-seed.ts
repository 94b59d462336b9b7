/**
 * A large catalog written fast for the export bench: one INSERT … SELECT generate_series of bench rows
 * (bench-assets.ts), a complete sync run per provider (the view reads it), then 1 % of the rows retitled under a
 * later change context.
 */
import type pg from 'pg';
import { setChangeContext } from '../src/db/change-context.ts';
import { withTransaction } from '../src/db/transaction.ts';
import { BENCH_ASSET_COLUMNS, BENCH_ASSET_VALUES } from './bench-assets.ts';

const SEEDED_AT = new Date('2025-01-01T00:00:00Z');
const CHANGED_AT = new Date('2025-06-01T00:00:00Z');

const INSERT_ROWS = `
INSERT INTO assets (${BENCH_ASSET_COLUMNS})
SELECT ${BENCH_ASSET_VALUES}
FROM generate_series(1, $1::int) g`;

/** Fresh statistics for the seeded tables, so the benches' queries are planned as on a catalog that has been live. */
export async function analyzeCatalog(pool: pg.Pool): Promise<void> {
  await pool.query('VACUUM ANALYZE assets');
  await pool.query('ANALYZE asset_changes');
}

export interface SeededCatalog {
  seconds: number;
  /** average length of raw's JSON text */
  rawBytes: number;
  titleChars: number;
  changed: number;
  changedAt: Date;
}

export async function seedCatalog(pool: pg.Pool, rows: number): Promise<SeededCatalog> {
  const started = performance.now();
  await withTransaction(pool, async (client) => {
    await setChangeContext(client, { source: 'sync', at: SEEDED_AT });
    await client.query(INSERT_ROWS, [rows]);
    await client.query(
      `INSERT INTO sync_runs (provider, state, phase, started_at, finished_at) SELECT p, 'complete', 'done', $1, $1 FROM unnest(ARRAY['affogato', 'mediapocket', 'roughy']) p`,
      [SEEDED_AT],
    );
  });
  const changed = await withTransaction(pool, async (client) => {
    await setChangeContext(client, { source: 'sync', at: CHANGED_AT });
    const result = await client.query(`UPDATE assets SET title = title || ' (retitled)' WHERE right(asset_id, 2) = '00'`);
    return result.rowCount ?? 0;
  });
  await analyzeCatalog(pool);
  const widths = await pool.query<{ raw: number; title: number }>(
    `SELECT avg(length(raw::text))::float8 AS raw, avg(length(title))::float8 AS title FROM assets TABLESAMPLE SYSTEM (1)`,
  );
  return {
    seconds: (performance.now() - started) / 1000,
    rawBytes: widths.rows[0]?.raw ?? 0,
    titleChars: widths.rows[0]?.title ?? 0,
    changed,
    changedAt: CHANGED_AT,
  };
}
