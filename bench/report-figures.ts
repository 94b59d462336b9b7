/**
 * The catalog report page's figures on a big catalog: seeds a bench database with `--rows` assets (default
 * 1,000,000) as wide as a real sync writes, first seen over the last 120 days, and `--changes` asset_changes rows
 * (default 50,000), plus two syncs a day per provider; then reads the figures of the last 90 days (what
 * GET /admin/catalog-report/data runs) a few times, and prints each time and the plan of the appearances query.
 * It reports figures; it never passes or fails on time.
 *   node --import tsx bench/report-figures.ts [--rows N] [--changes N] [--reads N]
 */
import { parseArgs } from 'node:util';
import { readEnvironment } from '../src/config.ts';
import { readCatalogTrends } from '../src/db/catalog-trends.repository.ts';
import { createDb } from '../src/db/client.ts';
import { reportWindow } from '../src/domain/report-window.ts';
import { createBenchDb } from './bench-db.ts';

const { values } = parseArgs({ options: { rows: { type: 'string' }, changes: { type: 'string' }, reads: { type: 'string' } } });
const rows = Number(values.rows ?? 1_000_000);
const changes = Number(values.changes ?? 50_000);
const reads = Number(values.reads ?? 5);
for (const [name, n] of Object.entries({ rows, changes, reads })) {
  if (!Number.isInteger(n) || n < 1) throw new Error(`--${name} must be a positive integer, got ${n}`);
}

const environment = readEnvironment(process.env, process.cwd());
const serverUrl = environment.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const DAYS_SEEDED = 120;

// $2 is now: asset g was first seen (g * 7919) mod 120 days before it, so every day holds about rows / 120
const INSERT_ASSETS = `
INSERT INTO assets (provider, asset_id, kind, status, title, url, width, height, size_bytes, tags, provider_created_at,
  provider_updated_at, first_seen_at, last_seen_at, last_changed_at, raw)
SELECT
  (ARRAY['affogato', 'mediapocket', 'roughy'])[1 + g % 3],
  'ast_' || lpad(g::text, 10, '0'),
  (ARRAY['image', 'video', 'audio'])[1 + (g / 3) % 3],
  (ARRAY['active', 'ready', 'processing', 'archived'])[1 + g % 4],
  'Render ' || g || ': "' || (ARRAY['sunset', 'harbour', 'portrait', 'city'])[1 + g % 4] || '" study, take ' || (g % 97),
  'https://cdn.example.com/assets/' || md5(g::text) || '.png',
  1024 + g % 7, 768 + g % 5, 100000 + g * 37 % 9000000,
  ARRAY['campaign-' || (g % 7), 'tag ' || (g % 50), 'batch/' || (g % 13)],
  seen, seen, seen, $2::timestamptz, seen,
  jsonb_build_object(
    'id', 'ast_' || lpad(g::text, 10, '0'),
    'prompt', 'a ' || md5(g::text) || ' over ' || md5((g + 1)::text) || ', "cinematic"',
    'model', 'render-v2.1', 'seed', g,
    'params', jsonb_build_object('steps', 30, 'cfg', 7.5, 'sampler', 'euler_a', 'size', '1024x768'),
    'owner', jsonb_build_object('id', g % 1000, 'name', 'user ' || (g % 1000))
  )
FROM generate_series(1, $1::int) g,
  LATERAL (SELECT $2::timestamptz - ((g::bigint * 7919) % (${DAYS_SEEDED} * 86400)) * interval '1 second' AS seen) s`;

const INSERT_CHANGES = `
INSERT INTO asset_changes (provider, asset_id, change, old_value, new_value, observed_at, source)
SELECT
  (ARRAY['affogato', 'mediapocket', 'roughy'])[1 + g % 3],
  'ast_' || lpad((g * 13 % $1::int + 1)::text, 10, '0'),
  (ARRAY['removed', 'removed', 'title', 'status', 'appeared', 'tags'])[1 + g % 6],
  NULL, NULL,
  $3::timestamptz - ((g::bigint * 104729) % (${DAYS_SEEDED} * 86400)) * interval '1 second',
  'sync'
FROM generate_series(1, $2::int) g`;

const INSERT_SYNCS = `
INSERT INTO sync_runs (provider, state, phase, started_at, finished_at, requests)
SELECT p, 'complete', 'done', at, at + interval '3 minutes', 2000
FROM unnest(ARRAY['affogato', 'mediapocket', 'roughy']) p,
  generate_series($1::timestamptz - interval '${DAYS_SEEDED} days', $1::timestamptz - interval '1 hour', interval '12 hours') at`;

const db = await createBenchDb(serverUrl);
try {
  const now = new Date();
  const seeding = performance.now();
  await db.pool.query(INSERT_ASSETS, [rows, now]);
  await db.pool.query(INSERT_CHANGES, [rows, changes, now]);
  await db.pool.query(INSERT_SYNCS, [now]);
  await db.pool.query('VACUUM ANALYZE assets');
  await db.pool.query('ANALYZE asset_changes');
  const size = await db.pool.query<{ mb: number }>(`SELECT (pg_total_relation_size('assets') / 1e6)::float8 AS mb`);
  process.stdout.write(
    `bench report figures: ${rows} assets (${size.rows[0]?.mb.toFixed(0)} MB with indexes), ${changes} asset_changes rows, ` +
      `seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`,
  );

  const window = reportWindow(90, now);
  for (let i = 1; i <= reads; i += 1) {
    const started = performance.now();
    const trends = await readCatalogTrends(createDb(db.pool), window);
    const appeared = trends.changes.reduce((sum, row) => sum + Number(row.appeared), 0);
    process.stdout.write(`read ${i}: ${((performance.now() - started) / 1000).toFixed(3)} s (${appeared} appearances in 90 days)\n`);
  }
} finally {
  await db.drop();
}
