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
import { BENCH_ASSET_COLUMNS, BENCH_ASSET_VALUES } from './bench-assets.ts';
import { createBenchDb } from './bench-db.ts';
import { analyzeCatalog } from './export-seed.ts';

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
INSERT INTO assets (${BENCH_ASSET_COLUMNS}, first_seen_at, last_seen_at, last_changed_at)
SELECT ${BENCH_ASSET_VALUES}, seen, $2::timestamptz, seen
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
  await analyzeCatalog(db.pool);
  const size = await db.pool.query<{ mb: number }>(`SELECT (pg_total_relation_size('assets') / 1e6)::float8 AS mb`);
  process.stdout.write(
    `bench report figures: ${rows} assets (${size.rows[0]?.mb.toFixed(0)} MB with indexes), ${changes} asset_changes rows, ` +
      `seeded in ${((performance.now() - seeding) / 1000).toFixed(1)} s\n`,
  );

  const window = reportWindow(90, now);
  const database = createDb(db.pool);
  for (let i = 1; i <= reads; i += 1) {
    const started = performance.now();
    const trends = await readCatalogTrends(database, window);
    const appeared = trends.changes.reduce((sum, row) => sum + Number(row.appeared), 0);
    process.stdout.write(`read ${i}: ${((performance.now() - started) / 1000).toFixed(3)} s (${appeared} appearances in 90 days)\n`);
  }
} finally {
  await db.drop();
}
