/**
 * A large catalog written fast for the export bench: one INSERT … SELECT generate_series of rows as wide as a real
 * sync writes (a title of about 45 characters, three tags, a raw payload of about 320 bytes), three providers and
 * a complete sync run each (the view reads it), then 1 % of the rows retitled under a later change context.
 */
import type pg from 'pg';
import { setChangeContext } from '../src/db/change-context.ts';
import { withTransaction } from '../src/db/transaction.ts';

const SEEDED_AT = new Date('2025-01-01T00:00:00Z');
const CHANGED_AT = new Date('2025-06-01T00:00:00Z');

const INSERT_ROWS = `
INSERT INTO assets (provider, asset_id, kind, status, title, url, width, height, duration_seconds, frames, size_bytes,
  tags, provider_created_at, provider_updated_at, raw)
SELECT
  (ARRAY['affogato', 'mediapocket', 'roughy'])[1 + g % 3],
  'ast_' || lpad(g::text, 10, '0'),
  (ARRAY['image', 'video', 'audio'])[1 + (g / 3) % 3],
  (ARRAY['active', 'ready', 'processing', 'archived'])[1 + g % 4],
  'Render ' || g || ': "' || (ARRAY['sunset', 'harbour', 'portrait', 'city'])[1 + g % 4] || '" study, take ' || (g % 97) || ' / v' || (g % 5),
  'https://cdn.example.com/assets/' || md5(g::text) || '.png',
  1024 + g % 7, 768 + g % 5,
  CASE WHEN g % 3 = 1 THEN round((g % 6000) / 10.0, 3) END,
  CASE WHEN g % 3 = 1 THEN g % 6000 END,
  100000 + g * 37 % 9000000,
  ARRAY['campaign-' || (g % 7), 'tag ' || (g % 50), 'batch/' || (g % 13)],
  timestamptz '2024-01-01' + g * interval '7 seconds',
  timestamptz '2024-06-01' + g * interval '3 seconds',
  jsonb_build_object(
    'id', 'ast_' || lpad(g::text, 10, '0'),
    'prompt', 'a ' || md5(g::text) || ' over ' || md5((g + 1)::text) || ', "cinematic"',
    'model', 'render-v2.1',
    'seed', g,
    'params', jsonb_build_object('steps', 30, 'cfg', 7.5, 'sampler', 'euler_a', 'size', '1024x768'),
    'owner', jsonb_build_object('id', g % 1000, 'name', 'user ' || (g % 1000)),
    'path', 'C:\\renders\\' || (g % 100) || '\\out.png'
  )
FROM generate_series(1, $1::int) g`;

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
  await pool.query('VACUUM ANALYZE assets');
  await pool.query('ANALYZE asset_changes');
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
