/**
 * Realistic-looking history for the catalog report page, written straight into the tables (the daily figures job
 * and the sync's request count are other pieces of work): three providers over the last `days` UTC days, with a
 * catalog that grows, daily appearances and removals, retention applies, syncs twice a day and DAG runs.
 * Deterministic for a seed, relative to `now`; returns the totals it wrote, for the checks.
 */
import type pg from 'pg';
import { createRandom, intBetween } from '../../src/simulator/core/seeded.random.ts';

const DAY_MS = 86_400_000;
export const SEEDED_PROVIDERS = ['affogato', 'mediapocket', 'roughy'] as const;

export interface SeededTotals {
  /** per provider: the summed assets of the figures of each day, oldest first */
  assetsByDay: Record<string, number[]>;
  appeared: Record<string, number>;
  removed: Record<string, number>;
  retentionByState: Record<string, number>;
  syncRuns: Record<string, number>;
  syncRequests: Record<string, number>;
  dagByOutcome: Record<string, number>;
}

const PROFILES = {
  affogato: { start: 42_000, growth: 310, meanBytes: 2_400_000, syncSeconds: 55, pageSize: 100 },
  mediapocket: { start: 18_500, growth: 190, meanBytes: 38_000_000, syncSeconds: 140, pageSize: 50 },
  roughy: { start: 7_200, growth: 60, meanBytes: 850_000, syncSeconds: 22, pageSize: 200 },
} as const;

const add = (totals: Record<string, number>, key: string, n: number) => (totals[key] = (totals[key] ?? 0) + n);

export async function seedReportHistory(pool: pg.Pool, options: { now: Date; days: number; seed?: number }): Promise<SeededTotals> {
  const random = createRandom(options.seed ?? 11);
  const between = (low: number, high: number) => intBetween(random, low, high);
  const today = Math.floor(options.now.getTime() / DAY_MS) * DAY_MS;
  // nothing in the future: today's events happened at the latest a minute ago
  const past = (at: number) => new Date(Math.min(at, options.now.getTime() - 60_000));
  const totals: SeededTotals = { assetsByDay: {}, appeared: {}, removed: {}, retentionByState: {}, syncRuns: {}, syncRequests: {}, dagByOutcome: {} };
  const figures: unknown[][] = [];
  const arrivals: unknown[][] = [];
  const changes: unknown[][] = [];
  const syncs: unknown[][] = [];
  const dags: unknown[][] = [];
  const retentionDays: number[] = [];

  for (let d = 0; d < options.days; d += 1) {
    const dayStart = today - (options.days - 1 - d) * DAY_MS;
    const day = new Date(dayStart).toISOString().slice(0, 10);
    const asOf = past(dayStart + DAY_MS - 60_000);
    for (const provider of SEEDED_PROVIDERS) {
      const profile = PROFILES[provider];
      const size = Math.round(profile.start + profile.growth * d * (0.85 + random() * 0.3));
      const split = [0.55, 0.3, 0.15].map((share) => Math.round(size * share));
      const parts: Array<[string, string, number]> = [['active', 'image', split[0]!], ['active', 'video', split[1]!], ['archived', 'image', split[2]!]];
      for (const [status, kind, assets] of parts) figures.push([provider, day, status, kind, assets, Math.round(assets * profile.meanBytes * (0.9 + random() * 0.2)), asOf]);
      (totals.assetsByDay[provider] ??= []).push(parts.reduce((sum, part) => sum + part[2], 0));

      const appeared = between(Math.round(profile.growth * 0.6), Math.round(profile.growth * 1.4));
      arrivals.push([provider, past(dayStart + between(1, 22) * 3_600_000), appeared, `${day}-${provider}`]);
      add(totals.appeared, provider, appeared);
      const returned = random() < 0.3 ? between(1, 6) : 0;
      const removed = between(0, Math.round(profile.growth * 0.35));
      for (let i = 0; i < returned; i += 1) changes.push([provider, `${provider}-back-${d}-${i}`, 'appeared', past(dayStart + 9 * 3_600_000), 'sync']);
      for (let i = 0; i < removed; i += 1) changes.push([provider, `${provider}-gone-${d}-${i}`, 'removed', past(dayStart + 15 * 3_600_000), 'sync']);
      add(totals.appeared, provider, returned);
      add(totals.removed, provider, removed);

      for (const hour of [2, 14]) {
        const startedAt = dayStart + hour * 3_600_000 + between(0, 300) * 1000;
        const seconds = profile.syncSeconds * (1 + d / options.days) * (0.8 + random() * 0.5);
        const finishedAt = Math.min(startedAt + seconds * 1000, options.now.getTime() - 1000);
        if (finishedAt <= startedAt) continue;
        const state = random() < 0.04 ? 'failed' : random() < 0.05 ? 'partial' : 'complete';
        const requests = Math.ceil(size / profile.pageSize) + between(0, 20);
        syncs.push([provider, state, new Date(startedAt), new Date(finishedAt), requests]);
        add(totals.syncRuns, provider, 1);
        add(totals.syncRequests, provider, requests);
      }
    }
    if (d % 3 === 1) retentionDays.push(dayStart);
    for (let i = between(2, 9); i > 0; i -= 1) {
      const startedAt = dayStart + between(1, 20) * 3_600_000;
      if (startedAt >= options.now.getTime() - 3_600_000) continue;
      const roll = random();
      const outcome = roll < 0.78 ? 'succeeded' : roll < 0.92 ? 'failed' : 'timed_out';
      const finishedAt = past(startedAt + between(40, 900) * 1000);
      dags.push([`mp-${d}-${i}`, between(0, 1) === 0 ? 'transcode-h264' : 'thumbnail-strip', new Date(startedAt), finishedAt, new Date(startedAt + 1_800_000), outcome]);
      add(totals.dagByOutcome, outcome, 1);
    }
  }
  // one run still going
  dags.push(['mp-open', 'transcode-h264', new Date(options.now.getTime() - 120_000), null, new Date(options.now.getTime() + 1_680_000), 'running']);
  add(totals.dagByOutcome, 'running', 1);

  await insertRows(pool, 'catalog_daily_figures', ['provider', 'day', 'status', 'kind', 'assets', 'bytes', 'as_of'], figures);
  await pool.query(
    `INSERT INTO assets (provider, asset_id, kind, status, raw, first_seen_at, last_seen_at, last_changed_at)
     SELECT a.provider, a.prefix || '-' || i, 'image', 'active', '{}'::jsonb, a.at, a.at, a.at
     FROM unnest($1::text[], $2::timestamptz[], $3::int[], $4::text[]) AS a(provider, at, n, prefix), generate_series(1, a.n) AS i`,
    transpose(arrivals, 4),
  );
  await insertRows(pool, 'asset_changes', ['provider', 'asset_id', 'change', 'observed_at', 'source'], changes);
  await insertRows(pool, 'sync_runs', ['provider', 'state', 'started_at', 'finished_at', 'requests'], syncs);
  await insertRows(pool, 'dag_action_runs', ['asset_id', 'dag_action_id', 'started_at', 'finished_at', 'deadline_at', 'outcome'], dags);
  for (const dayStart of retentionDays) await seedRetentionRun(pool, dayStart, between, totals);
  return totals;
}

async function seedRetentionRun(pool: pg.Pool, dayStart: number, between: (low: number, high: number) => number, totals: SeededTotals): Promise<void> {
  const decidedAt = new Date(dayStart + 3 * 3_600_000);
  const run = await pool.query<{ id: string }>(
    `INSERT INTO retention_runs (mode, providers, evaluated_at, started_at, finished_at, state, started_by)
     VALUES ('apply', $1, $2, $2, $2::timestamptz + interval '4 minutes', 'done', 'schedule') RETURNING id`,
    [[...SEEDED_PROVIDERS], decidedAt],
  );
  const actions: unknown[][] = [];
  for (const provider of SEEDED_PROVIDERS) {
    const counts = { applied: between(5, 40), failed: between(0, 3), skipped: between(0, 6) };
    for (const [state, n] of Object.entries(counts)) {
      for (let i = 0; i < n; i += 1) {
        // as the writer leaves them: only an applied action has an applied_at, a failed one just its error
        const appliedAt = state === 'applied' ? new Date(decidedAt.getTime() + 60_000) : null;
        const error = state === 'failed' ? 'provider answered 503 three times' : null;
        actions.push([run.rows[0]!.id, provider, `${provider}-old-${dayStart}-${state}-${i}`, 'older-than-180d', 'archive', state, 'older than 180 days', decidedAt, appliedAt, error]);
      }
      add(totals.retentionByState, state, n);
    }
  }
  await insertRows(pool, 'retention_actions', ['run_id', 'provider', 'asset_id', 'rule', 'action', 'state', 'reason', 'decided_at', 'applied_at', 'error'], actions);
}

function transpose(rows: unknown[][], width: number): unknown[][] {
  return Array.from({ length: width }, (_, column) => rows.map((row) => row[column]));
}

/** One multi-row INSERT per 1,000 rows. */
async function insertRows(pool: pg.Pool, table: string, columns: string[], rows: unknown[][]): Promise<void> {
  for (let at = 0; at < rows.length; at += 1000) {
    const batch = rows.slice(at, at + 1000);
    const values = batch.map((row, r) => `(${row.map((_, c) => `$${r * row.length + c + 1}`).join(', ')})`);
    await pool.query(`INSERT INTO ${table} (${columns.join(', ')}) VALUES ${values.join(', ')}`, batch.flat());
  }
}
