/**
 * The daily figures (catalog_daily): the `catalog.daily` job, run through a real queue and worker, and `catalog
 * daily` by hand. Today's figures equal the catalog's own counts after real syncs of the simulator; a history
 * written over several days with clocks the test controls is reconstructed, day by day, into exactly the counts
 * the catalog showed at each day's end, by the job in slices of its limit of days (each queueing the next) and by
 * hand in one go; final days are kept, today is replaced, --rebuild recomputes, --from never skips a day.
 */
import type { PoolClient } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalogDailyHandler } from '../src/app/job-handlers/catalog-daily.handler.ts';
import { historyPruneHandler } from '../src/app/job-handlers/history-prune.handler.ts';
import { retentionApplyHandler } from '../src/app/job-handlers/retention-apply.handler.ts';
import { recordActionDone, recordGone } from '../src/db/action-effects.repository.ts';
import { figuresAsOf, readDayFigures, type DailyFigure, type StoredFigure } from '../src/db/catalog-daily.repository.ts';
import { upsertRecords } from '../src/db/catalog.repository.ts';
import { setChangeContext, type ChangeSource } from '../src/db/change-context.ts';
import { withTransaction } from '../src/db/transaction.ts';
import { dayEnd, nextDay, utcDay } from '../src/domain/catalog-days.ts';
import { enqueue } from '../src/jobs/queues.ts';
import { runCatalogDaily } from '../src/reporting/catalog-daily.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { waitFor } from './support/catalog.ts';
import { catalogRecord } from './support/catalog-records.ts';
import { runCli } from './support/cli.ts';
import { startInProcessWorker, type InProcessWorker } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

/** The catalog's own counts, as reporting reads it: live assets by provider, status and kind. */
const CATALOG_COUNTS = `
SELECT provider, status, kind, count(*)::bigint AS assets, coalesce(sum(size_bytes), 0)::bigint AS bytes
FROM catalog_assets WHERE removed_at IS NULL GROUP BY provider, status, kind`;

type Figure = Pick<DailyFigure, 'provider' | 'status' | 'kind' | 'assets' | 'bytes'>;
const keyOf = (f: Figure) => JSON.stringify([f.provider, f.status, f.kind]);
/** Comparable: the five columns only, in one order. */
const normalised = (figures: readonly Figure[]): Figure[] =>
  figures
    .map(({ provider, status, kind, assets, bytes }) => ({ provider, status, kind, assets: Number(assets), bytes: Number(bytes) }))
    .sort((a, b) => keyOf(a).localeCompare(keyOf(b)));

const daysBefore = (day: string, n: number) => utcDay(new Date(dayEnd(day).getTime() - (n + 1) * 24 * 3600 * 1000));
const at = (day: string, time: string) => new Date(`${day}T${time}.000Z`);
const dayList = (days: ReadonlyArray<{ day: string; final: boolean }>) => days.map((d) => `${d.day} ${d.final ? 'final' : 'open'}`);
/** the job's limit of ended days per run, small enough that the backfill of three ended days takes two runs */
const MAX_ENDED_DAYS = 2;

/** The fields the figures count; the payload changes with the status, so that the merge rewrites the row. */
const record = (assetId: string, kind: string | null, status: string | null, sizeBytes: number | null) =>
  catalogRecord(assetId, { kind, status, sizeBytes, raw: { id: assetId, status } });

describe('daily figures', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let sim: Simulator;
  let env: Record<string, string>;
  let worker: InProcessWorker;
  /** the clock the job's handler reads; undefined: the real one */
  let jobClock: Date | undefined;

  const query = async <T extends object>(text: string, params: unknown[] = []): Promise<T[]> => (await database.pool.query<T>(text, params)).rows;
  const catalogCounts = async () => normalised(await query<Figure>(CATALOG_COUNTS));
  const storedDay = (day: string) => readDayFigures(database.pool, { from: day, to: day });
  type JobResult = { days: Array<{ day: string; final: boolean }>; followUp: string | null };
  /** Waits for a job of the retention queue to complete, and returns what its handler returned. */
  const completed = (jobId: string): Promise<JobResult> =>
    waitFor(async () => {
      const job = await worker.queues.retention.getJob(jobId);
      const state = await job?.getState();
      if (state === 'failed') throw new Error(`catalog.daily failed: ${job?.failedReason}`);
      return state === 'completed' ? (job?.returnvalue as JobResult) : undefined;
    });
  /** Runs the job once through the queue, as the schedule would, and waits for it to complete. */
  const runJob = async (): Promise<JobResult> => completed((await enqueue(worker.queues, 'catalog.daily', {})).id ?? '');
  const waitingJobs = () => worker.queues.retention.getJobs(['waiting', 'delayed', 'active', 'prioritized']);
  /** One writer's transaction with its change context, as the sync and the action engine write the catalog. */
  const write = (source: ChangeSource, when: Date, work: (client: PoolClient) => Promise<unknown>) =>
    withTransaction(database.pool, async (client) => {
      await setChangeContext(client, { source, at: when });
      await work(client);
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 83, counts: { affogato: 120, mediapocket: 90, roughy: 70 } });
    env = workerEnv(sim, database.url, prefix, { LOG_LEVEL: 'silent' });
    worker = startInProcessWorker(env, {
      // the retention queue's jobs: the registry wants a handler for each
      handlers: (deps) => [
        catalogDailyHandler(deps, { clock: () => jobClock ?? new Date(), maxEndedDays: MAX_ENDED_DAYS }),
        retentionApplyHandler(deps),
        historyPruneHandler(deps),
      ],
      queues: ['retention'],
    });
  });
  afterAll(async () => {
    await worker.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  describe('after real syncs', () => {
    it("today's figures equal the catalog's own counts, and the history reconstructs the same catalog", async () => {
      const context = worker.context;
      const syncAll = () => Promise.all(context.selectProviders().map((handle) => syncProvider({ pool: context.pool, logger: context.logger }, handle.provider)));
      await syncAll();
      // between two syncs: removals, status changes (archived), a trashed asset, new assets
      for (const id of sim.affogato.ids().slice(0, 4)) sim.affogato.remove(id);
      sim.affogato.archive(sim.affogato.ids().slice(0, 6));
      sim.affogato.add();
      for (const id of sim.roughy.ids().slice(0, 3)) sim.roughy.remove(id);
      sim.mediapocket.trash(sim.mediapocket.ids()[0] ?? '');
      await syncAll();

      const expected = await catalogCounts();
      expect(expected.reduce((sum, f) => sum + f.assets, 0)).toBe(120 - 4 + 1 + 90 + 70 - 3);
      expect(new Set(expected.map((f) => f.status))).toContain('archive');

      jobClock = undefined;
      const result = await runJob();
      const today = utcDay(new Date());
      expect(result.days).toEqual([expect.objectContaining({ day: today, final: false })]);
      const stored = await storedDay(today);
      expect(normalised(stored)).toEqual(expected);
      // the history the syncs left (removals and status changes) rebuilds the catalog as it is now
      expect(normalised(await figuresAsOf(database.pool, new Date(Date.now() + 60_000)))).toEqual(expected);
    });
  });

  describe('a history over several days', () => {
    // day 1 to day 4 end two days ago; day 4 is "today" for the job's first runs (its clock is set)
    const today = utcDay(new Date());
    const [day1, day2, day3, day4, day5] = [5, 4, 3, 2, 1].map((n) => daysBefore(today, n)) as [string, string, string, string, string];
    const snapshots = new Map<string, Figure[]>();
    const computedAt = async (day: string) => (await storedDay(day)).map((row: StoredFigure) => row.computedAt.getTime());

    beforeAll(async () => {
      await database.pool.query('TRUNCATE assets, asset_changes, catalog_daily_figures, sync_runs, sync_pages CASCADE');

      // day 1: the first import of two providers, nulls included (no status, no kind, no size)
      await write('sync', at(day1, '10:00:00'), (client) =>
        upsertRecords(client, 'roughy', [
          record('r1', 'image', 'ready', 100),
          record('r2', 'image', 'ready', 200),
          record('r3', 'video', 'ready', 300),
          record('r4', 'video', 'processing', null),
          record('r5', null, null, 50),
          record('r8', 'image', 'ready', 800),
        ], at(day1, '10:00:00')),
      );
      await write('sync', at(day1, '11:00:00'), (client) =>
        upsertRecords(client, 'affogato', [record('a1', 'image', 'active', 1000), record('a2', 'image', 'active', 2000), record('a3', 'video', 'active', 3000)], at(day1, '11:00:00')),
      );
      // an asset removed before the history began (as of the migration): INSERTed already removed, so no change row
      await query(
        `INSERT INTO assets (provider, asset_id, kind, status, size_bytes, raw, first_seen_at, last_seen_at, last_changed_at, removed_at)
         VALUES ('roughy', 'r9', 'image', 'ready', 900, '{"id":"r9"}', $1, $1, $1, $2)`,
        [at(day1, '06:00:00'), at(day1, '07:00:00')],
      );
      snapshots.set(day1, await catalogCounts());

      // day 2: status changes (r1 twice), a removal, a status set by the worker's own action, a trashed asset
      await write('sync', at(day2, '09:00:00'), (client) => upsertRecords(client, 'roughy', [record('r1', 'image', 'processing', 100)], at(day2, '09:00:00')));
      await write('retention', at(day2, '11:00:00'), (client) => recordGone(client, 'roughy', ['r2'], at(day2, '11:00:00')));
      await write('retention', at(day2, '12:00:00'), (client) => recordActionDone(client, 'affogato', { kind: 'status', status: 'archive' }, ['a1'], at(day2, '12:00:00')));
      await write('bulk', at(day2, '13:00:00'), (client) => recordActionDone(client, 'affogato', { kind: 'trashed' }, ['a3'], at(day2, '13:00:00')));
      await write('sync', at(day2, '15:00:00'), (client) => upsertRecords(client, 'roughy', [record('r1', 'image', 'failed', 100)], at(day2, '15:00:00')));
      // a removal the history did not record (as by a release before it): only removed_at tells
      await withTransaction(database.pool, async (client) => {
        await client.query('SET LOCAL session_replication_role = replica');
        await client.query(`UPDATE assets SET removed_at = $1 WHERE provider = 'roughy' AND asset_id = 'r8'`, [at(day2, '16:00:00')]);
      });
      snapshots.set(day2, await catalogCounts());

      // day 3: r2 comes back (with another status), r9 comes back after its unrecorded removal, a new asset, a removal
      await write('sync', at(day3, '08:00:00'), (client) =>
        upsertRecords(client, 'roughy', [record('r2', 'image', 'processing', 200), record('r9', 'image', 'ready', 900), record('r6', 'image', 'ready', 600)], at(day3, '08:00:00')),
      );
      await write('retention', at(day3, '09:00:00'), (client) => recordGone(client, 'affogato', ['a2'], at(day3, '09:00:00')));
      snapshots.set(day3, await catalogCounts());

      // day 4 ("today" for the first runs), before the job's clock: changes the reconstruction of day 3 must undo
      await write('sync', at(day4, '06:00:00'), (client) =>
        upsertRecords(client, 'roughy', [record('r3', 'video', 'failed', 300), record('r7', 'video', 'ready', 700)], at(day4, '06:00:00')),
      );
      await write('sync', at(day4, '06:30:00'), (client) => recordGone(client, 'roughy', ['r4', 'r2'], at(day4, '06:30:00')));
      await write('sync', at(day4, '07:00:00'), (client) => upsertRecords(client, 'affogato', [record('a2', 'image', 'active', 2000)], at(day4, '07:00:00')));
      snapshots.set(day4, await catalogCounts());
    });

    it('the snapshots differ from day to day (the history is worth reconstructing)', () => {
      const all = [day1, day2, day3, day4].map((day) => JSON.stringify(snapshots.get(day)));
      expect(new Set(all).size).toBe(4);
    });

    it("a backfill from an empty table, in slices of the job's limit, reproduces each day's end exactly", async () => {
      jobClock = at(day4, '12:00:00');
      const first = await runJob();
      // the two oldest ended days, and today whatever the limit; the rest goes to a follow-up queued at once
      expect(dayList(first.days)).toEqual([`${day1} final`, `${day2} final`, `${day4} open`]);
      expect(first.followUp).toBe(`catalog-daily-from-${day3}`);
      const followUp = await completed(first.followUp ?? '');
      expect(dayList(followUp.days)).toEqual([`${day3} final`, `${day4} open`]);
      expect(followUp.followUp).toBeNull();
      expect(await waitingJobs()).toEqual([]);
      for (const day of [day1, day2, day3]) {
        const stored = await storedDay(day);
        expect(normalised(stored), day).toEqual(snapshots.get(day));
        expect(new Set(stored.map((row) => row.asOf.toISOString())), day).toEqual(new Set([dayEnd(day).toISOString()]));
      }
      const today4 = await storedDay(day4);
      expect(normalised(today4)).toEqual(snapshots.get(day4));
      expect(new Set(today4.map((row) => row.asOf.toISOString()))).toEqual(new Set([at(day4, '12:00:00').toISOString()]));
      // the view reads the same rows
      const view = await query<Figure & { day: string }>(`SELECT day::text AS day, provider, status, kind, assets, bytes FROM catalog_daily WHERE day = $1`, [day2]);
      expect(normalised(view)).toEqual(snapshots.get(day2));
    });

    it('a later run keeps final days as they are and replaces today', async () => {
      const before = new Map(await Promise.all([day1, day2, day3, day4].map(async (day) => [day, await computedAt(day)] as const)));
      jobClock = at(day4, '13:00:00');
      const result = await runJob();
      expect(dayList(result.days)).toEqual([`${day4} open`]);
      // caught up: nothing queued behind it
      expect(result.followUp).toBeNull();
      expect(await waitingJobs()).toEqual([]);
      for (const day of [day1, day2, day3]) expect(await computedAt(day), day).toEqual(before.get(day));
      const after4 = await storedDay(day4);
      expect(Math.min(...after4.map((row) => row.computedAt.getTime()))).toBeGreaterThan(Math.max(...(before.get(day4) ?? [])));
      expect(new Set(after4.map((row) => row.asOf.toISOString()))).toEqual(new Set([at(day4, '13:00:00').toISOString()]));
    });

    it('after midnight, the day before is finalised from the history as of its end, and the new day opens', async () => {
      jobClock = at(day5, '00:50:00');
      const result = await runJob();
      expect(dayList(result.days)).toEqual([`${day4} final`, `${day5} open`]);
      const final4 = await storedDay(day4);
      expect(normalised(final4)).toEqual(snapshots.get(day4));
      expect(new Set(final4.map((row) => row.asOf.toISOString()))).toEqual(new Set([dayEnd(day4).toISOString()]));
      // nothing changed since: the new day reads the same catalog
      expect(normalised(await storedDay(day5))).toEqual(snapshots.get(day4));
    });

    it('--rebuild recomputes final days from --from, to the same figures, and keeps the days before', async () => {
      const before1 = await computedAt(day1);
      const before3 = await computedAt(day3);
      const result = await runCli(['catalog', 'daily', '--rebuild', '--from', day3, '--json'], env);
      expect(result.code).toBe(0);
      // stderr, not a terminal: plain progress lines only, the last one when done
      expect(result.stderr.trim().split('\n').at(-1)).toBe('days: done 4/4 days');
      expect(result.stderr.trim().split('\n').filter((line) => !line.startsWith('days: '))).toEqual([]);
      const output = JSON.parse(result.stdout) as { days: Array<{ day: string; final: boolean; rows: number; assets: number }>; finished: boolean };
      expect(output.finished).toBe(true);
      expect(nextDay(day5)).toBe(today);
      expect(dayList(output.days)).toEqual([`${day3} final`, `${day4} final`, `${day5} final`, `${today} open`]);
      expect(output.days[0]).toMatchObject({ day: day3, rows: snapshots.get(day3)?.length, assets: snapshots.get(day3)?.reduce((sum, f) => sum + f.assets, 0) });
      expect(await computedAt(day1)).toEqual(before1);
      const after3 = await computedAt(day3);
      expect(Math.min(...after3)).toBeGreaterThan(Math.max(...before3));
      for (const day of [day3, day4]) expect(normalised(await storedDay(day)), day).toEqual(snapshots.get(day));
    });

    it('by hand without options: only the days not final yet, one line each', async () => {
      const result = await runCli(['catalog', 'daily'], env);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines[0]).toMatch(new RegExp(`^${today} as of \\S+ \\(day not over\\): ${snapshots.get(day4)?.length} rows, \\d+ assets, \\d+ bytes$`));
      expect(lines.at(-1)).toBe('1 day computed');
    });

    it('a rebuild through the service alone gives the same figures for every day', async () => {
      const stored = await readDayFigures(database.pool);
      const result = await runCatalogDaily(database.pool, { now: new Date(), rebuild: true });
      expect(result.days[0]?.day).toBe(day1);
      expect((await readDayFigures(database.pool)).map(({ computedAt: _c, asOf: _a, ...rest }) => rest)).toEqual(
        stored.map(({ computedAt: _c, asOf: _a, ...rest }) => rest),
      );
    });

    it('--from without --rebuild later than the first day not final starts at that day instead: no day is skipped', async () => {
      // only day 1 final: the days from day 2 on are to compute, and --from day 3 must not leave day 2 out for good
      await query('DELETE FROM catalog_daily_figures WHERE day > $1::date', [day1]);
      const result = await runCli(['catalog', 'daily', '--from', day3], env);
      expect(result.code).toBe(0);
      const lines = result.stdout.trim().split('\n');
      expect(lines.map((line) => line.split(' ')[0])).toEqual([day2, day3, day4, day5, today, '5']);
      expect(lines.at(-1)).toBe('5 days computed');
      for (const day of [day2, day3, day4]) expect(normalised(await storedDay(day)), day).toEqual(snapshots.get(day));
      // the next run, as the hourly job, has nothing but today left
      expect((await runCatalogDaily(database.pool, { now: new Date() })).days.map((d) => d.day)).toEqual([today]);
    });
  });

  describe('usage', () => {
    it('catalog daily --help describes the options and exits 0', async () => {
      const result = await runCli(['catalog', 'daily', '--help'], {});
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: asset-worker catalog daily');
      for (const option of ['--rebuild', '--from <date>', '--json', 'UTC']) expect(result.stdout).toContain(option);
    });

    it.each([['2026-02-30'], ['yesterday'], ['2999-01-01']])('a bad --from (%s) is a usage error naming the option', async (value) => {
      const result = await runCli(['catalog', 'daily', '--from', value], env);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--from');
      expect(result.stdout).toBe('');
    });
  });
});
