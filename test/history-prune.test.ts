/**
 * History pruning: the `history.prune` job, run through a real queue and worker on a database seeded with history
 * of every kind and age, deletes exactly the finished history older than HISTORY_KEEP_DAYS, in batches, and keeps
 * open work, the latest complete (and latest finished) sync of each provider, recent rows and the catalog; the
 * reporting views and the report read the same afterwards.
 */
import { Writable } from 'node:stream';
import type { Job } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildCatalogReport } from '../src/db/catalog-report.repository.ts';
import { countHistoryRows, pruneHistory, type HistoryCounts } from '../src/db/history-prune.repository.ts';
import { catalogDailyHandler } from '../src/app/job-handlers/catalog-daily.handler.ts';
import { historyPruneHandler } from '../src/app/job-handlers/history-prune.handler.ts';
import { retentionApplyHandler } from '../src/app/job-handlers/retention-apply.handler.ts';
import { createJobRegistry } from '../src/jobs/job-registry.ts';
import { closeQueues, createQueues, enqueue, type Queues } from '../src/jobs/queues.ts';
import { startWorkers, type WorkerSet } from '../src/jobs/workers.ts';
import { createLogger } from '../src/logger.ts';
import { desiredSchedules } from '../src/schedulers/schedules.ts';
import { loadConfig } from '../src/config.ts';
import { createAppContext, type AppContext } from '../src/app/context.ts';
import { waitFor } from './support/catalog.ts';
import { clearPrefix, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';

const KEEP_DAYS = 90;

describe('history pruning', () => {
  const prefix = testQueuePrefix();
  const logLines: string[] = [];
  let database: TestDatabase;
  let context: AppContext;
  let queues: Queues;
  let workers: WorkerSet;
  const shutdown = new AbortController();

  const query = async <T extends object>(text: string, params: unknown[] = []): Promise<T[]> =>
    (await database.pool.query<T>(text, params)).rows;
  const ids = async (table: string): Promise<number[]> =>
    (await query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).map((row) => Number(row.id));
  /** `finished`: days ago, or null for a run still open */
  const syncRun = async (provider: string, state: string, startedDaysAgo: number, finished: number | null): Promise<number> => {
    const [row] = await query<{ id: number }>(
      `INSERT INTO sync_runs (provider, state, phase, started_at, finished_at)
       VALUES ($1, $2, CASE WHEN $3::int IS NULL THEN 'listing' ELSE 'done' END, now() - make_interval(days => $4), now() - make_interval(days => $3::int))
       RETURNING id`,
      [provider, state, finished, startedDaysAgo],
    );
    return Number(row?.id);
  };
  const page = (runId: number, key: string) =>
    query('INSERT INTO sync_pages (run_id, page_key, asset_ids, committed_at) VALUES ($1, $2, $3, now())', [runId, key, ['a-1', 'a-2']]);
  const quarantined = async (provider: string, runId: number | null, daysAgo: number): Promise<number> => {
    const [row] = await query<{ id: number }>(
      `INSERT INTO quarantine (provider, run_id, asset_id, reason, raw, raw_hash, received_at)
       VALUES ($1, $2, NULL, 'missing id', '{}', md5(random()::text), now() - make_interval(days => $3)) RETURNING id`,
      [provider, runId, daysAgo],
    );
    return Number(row?.id);
  };
  const retentionRun = async (mode: string, state: string, startedDaysAgo: number, finished: number | null, actions: string[]): Promise<number> => {
    const [row] = await query<{ id: number }>(
      `INSERT INTO retention_runs (mode, providers, evaluated_at, started_at, finished_at, state)
       VALUES ($1, '{affogato}', now() - make_interval(days => $3), now() - make_interval(days => $3), now() - make_interval(days => $4::int), $2)
       RETURNING id`,
      [mode, state, startedDaysAgo, finished],
    );
    const runId = Number(row?.id);
    for (const [i, actionState] of actions.entries()) {
      await query(
        `INSERT INTO retention_actions (run_id, provider, asset_id, rule, action, state, reason, decided_at)
         VALUES ($1, 'affogato', $2, 'old-ones', 'archive', $3, 'older than 30 days', now() - make_interval(days => $4))`,
        [runId, `a-${i}`, actionState, startedDaysAgo],
      );
    }
    return runId;
  };
  /** returns the operation's id and its items' ids */
  const bulkOperation = async (state: string, createdDaysAgo: number, finished: number | null, items: string[]): Promise<[number, number[]]> => {
    const [row] = await query<{ id: number }>(
      `INSERT INTO bulk_operations (provider, action, state, total, chunk_size, created_at, finished_at)
       VALUES ('affogato', 'archive', $1, $2, 250, now() - make_interval(days => $3), now() - make_interval(days => $4::int)) RETURNING id`,
      [state, items.length, createdDaysAgo, finished],
    );
    const operationId = Number(row?.id);
    const itemIds: number[] = [];
    for (const [i, itemState] of items.entries()) {
      const [item] = await query<{ id: number }>(
        `INSERT INTO bulk_items (operation_id, position, chunk, asset_id, state, updated_at)
         VALUES ($1, $2, 0, $3, $4, now() - make_interval(days => $5)) RETURNING id`,
        [operationId, i, `a-${i}`, itemState, createdDaysAgo],
      );
      itemIds.push(Number(item?.id));
    }
    return [operationId, itemIds];
  };
  const dagRun = async (outcome: string, startedDaysAgo: number, finished: number | null, bulkItemId: number | null = null): Promise<number> => {
    const [row] = await query<{ id: number }>(
      `INSERT INTO dag_action_runs (asset_id, dag_action_id, provider_run_id, status, outcome, started_at, finished_at, deadline_at, bulk_item_id)
       VALUES ('mp-1', 'act-1', md5(random()::text), 'x', $1, now() - make_interval(days => $2), now() - make_interval(days => $3::int),
               now() - make_interval(days => $2) + interval '30 minutes', $4)
       RETURNING id`,
      [outcome, startedDaysAgo, finished, bulkItemId],
    );
    return Number(row?.id);
  };

  /** what is expected to survive the prune, per table */
  const kept: Record<string, number[]> = {};
  const expectedDeleted: HistoryCounts = {
    sync_pages: 2,
    sync_runs: 6,
    quarantine: 3,
    retention_actions: 7,
    retention_runs: 3,
    bulk_items: 3,
    bulk_operations: 1,
    dag_action_runs: 2,
    notification_events: 1,
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    const logger = createLogger(
      'info',
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          logLines.push(chunk.toString());
          done();
        },
      }),
    );
    context = createAppContext(
      loadConfig({ DATABASE_URL: database.url, REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix, HISTORY_KEEP_DAYS: String(KEEP_DAYS) }, builtinProviderRegistry),
      logger,
    );
    queues = createQueues(context.redis, prefix);
    const deps = { context, queues, shutdownSignal: shutdown.signal };
    // a batch of 2 rows: every table takes several DELETE statements
    const registry = createJobRegistry([historyPruneHandler(deps, { batchSize: 2 }), retentionApplyHandler(deps), catalogDailyHandler(deps)], ['retention']);
    workers = startWorkers({ connection: context.redis, prefix, registry, logger: context.logger, health: context.health, queues: ['retention'] });

    // the catalog: rows first seen long ago are the mirror, never history
    await query(
      `INSERT INTO assets (provider, asset_id, status, raw, first_seen_at, last_seen_at, last_changed_at)
       SELECT p, p || '-' || n, 'active', '{}', now() - interval '400 days', now() - interval '400 days', now() - interval '400 days'
         FROM unnest(ARRAY['affogato', 'mediapocket', 'roughy']) AS p, generate_series(1, 3) AS n`,
    );

    // Affogato: old runs of every outcome, a recent complete one (the latest), and an old run still open
    const a1 = await syncRun('affogato', 'complete', 301, 300);
    const a2 = await syncRun('affogato', 'failed', 251, 250);
    const a3 = await syncRun('affogato', 'complete', 201, 200);
    const a4 = await syncRun('affogato', 'partial', 151, 150);
    const a5 = await syncRun('affogato', 'complete', 6, 5);
    const a6 = await syncRun('affogato', 'running', 120, null);
    await page(a3, 'left-behind'); // a finished run's page a crash left behind
    await page(a6, '1'); // the open run's seen set: needed to resume it
    // Roughy: its latest complete run and its latest finished run (partial) are both old and both kept
    const r1 = await syncRun('roughy', 'complete', 401, 400);
    const r2 = await syncRun('roughy', 'complete', 301, 300);
    const r3 = await syncRun('roughy', 'partial', 201, 200);
    const r4 = await syncRun('roughy', 'failed', 151, 150);
    // Media Pocket: one old complete run, its only one
    const m1 = await syncRun('mediapocket', 'complete', 201, 200);
    await page(r2, 'left-behind'); // a kept run's pages are not needed: only an open run resumes from its pages
    kept.sync_runs = [a5, a6, r2, r3, m1];
    expect([a1, a2, a3, a4, r1, r4].length).toBe(expectedDeleted.sync_runs);

    kept.quarantine = [
      await quarantined('affogato', a6, 120), // the open run's: old, kept with its run
      await quarantined('roughy', r2, 300), // the kept latest complete run's
      await quarantined('affogato', a5, 5), // recent
      await quarantined('affogato', null, 10), // recent, no run
    ];
    await quarantined('affogato', a1, 300);
    await quarantined('affogato', a4, 150);
    await quarantined('roughy', null, 200);

    // retention: old plan, done, failed and refused runs go with their actions; an unfinished apply and recent runs stay
    await retentionRun('plan', 'planned', 200, 200, ['planned', 'skipped', 'planned']);
    await retentionRun('apply', 'done', 150, 150, ['applied', 'failed', 'applied']);
    await retentionRun('apply', 'refused', 120, 120, ['skipped']);
    const applying = await retentionRun('apply', 'applying', 200, null, ['applied', 'in_flight', 'planned']);
    const recent = await retentionRun('apply', 'done', 3, 3, ['applied']);
    kept.retention_runs = [applying, recent];

    // bulk: an old finished operation goes with its items; an old unfinished one and a recent one stay
    await bulkOperation('done', 200, 199, ['done', 'failed', 'skipped']);
    const [openOperation, openItems] = await bulkOperation('running', 200, null, ['done', 'in_flight', 'pending']);
    const [recentOperation] = await bulkOperation('done', 10, 10, ['done']);
    kept.bulk_operations = [openOperation, recentOperation];

    // DAG runs: old ended runs go; a running one, a recent one, and an old ended one whose bulk item is still open stay
    await dagRun('succeeded', 200, 200);
    await dagRun('timed_out', 150, 150);
    kept.dag_action_runs = [
      await dagRun('running', 200, null),
      await dagRun('starting', 100, null),
      await dagRun('failed', 10, 10),
      await dagRun('succeeded', 200, 200, openItems[1] ?? null),
    ];

    // notification events: an old delivered one goes; an old undelivered one (still owed) and a recent one stay
    const event = (id: string, createdDaysAgo: number, deliveredDaysAgo: number | null) =>
      query(
        `INSERT INTO notification_events (id, type, payload, created_at, delivered_at)
         VALUES ($1, 'sync.partial', '{}', now() - make_interval(days => $2), now() - make_interval(days => $3::int))`,
        [id, createdDaysAgo, deliveredDaysAgo],
      );
    await event('evt_old_delivered', 200, 200);
    await event('evt_old_owed', 200, null);
    await event('evt_recent', 10, 10);
  });

  afterAll(async () => {
    shutdown.abort();
    await workers.close();
    await closeQueues(queues);
    await context.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const runPruneJob = async (): Promise<Job> => {
    const job = await enqueue(queues, 'history.prune', {});
    return waitFor(async () => {
      const current = await queues.retention.getJob(job.id ?? '');
      const state = await current?.getState();
      if (state === 'failed') throw new Error(`history.prune failed: ${current?.failedReason}`);
      return state === 'completed' ? current : undefined;
    });
  };

  it('is scheduled daily by start, on the retention queue, in SCHEDULE_TZ', () => {
    const schedule = desiredSchedules(loadConfig({ SCHEDULE_TZ: 'Europe/Helsinki' }, builtinProviderRegistry)).find((s) => s.jobName === 'history.prune');
    expect(schedule).toEqual({ id: 'history:prune', queue: 'retention', jobName: 'history.prune', data: {}, pattern: '15 4 * * *', tz: 'Europe/Helsinki' });
  });

  it('stopped by a shutdown before a batch, deletes nothing and says it did not finish', async () => {
    const before = await countHistoryRows(database.pool);
    const stopped = new AbortController();
    stopped.abort();
    const result = await pruneHistory(database.pool, { cutoff: new Date(), signal: stopped.signal });
    expect(result.finished).toBe(false);
    expect(Object.values(result.deleted).every((n) => n === 0)).toBe(true);
    expect(await countHistoryRows(database.pool)).toEqual(before);
  });

  it('deletes exactly the old finished history, and keeps open work, the latest syncs, recent rows and the catalog', async () => {
    const views = async () => ({
      catalog: await query('SELECT * FROM catalog_assets ORDER BY provider, asset_id'),
      report: (({ generatedAt: _, ...rest }) => rest)(await buildCatalogReport(context.db, context.registry.names, new Date('2030-01-01T00:00:00Z'))),
    });
    const before = await views();
    const countsBefore = await countHistoryRows(database.pool);

    const job = await runPruneJob();

    expect(job.returnvalue).toMatchObject({ deleted: expectedDeleted, finished: true });
    const countsAfter = await countHistoryRows(database.pool);
    for (const [table, n] of Object.entries(expectedDeleted)) expect(countsAfter[table as keyof HistoryCounts], table).toBe(countsBefore[table as keyof HistoryCounts] - n);

    expect(await ids('sync_runs')).toEqual(kept.sync_runs);
    expect(await query('SELECT page_key FROM sync_pages')).toEqual([{ page_key: '1' }]);
    expect(await ids('quarantine')).toEqual(kept.quarantine);
    expect(await ids('retention_runs')).toEqual(kept.retention_runs);
    expect(await query('SELECT run_id, state FROM retention_log ORDER BY asset_id, run_id')).toEqual([
      { run_id: kept.retention_runs?.[0], state: 'applied' },
      { run_id: kept.retention_runs?.[1], state: 'applied' },
      // in flight reads as planned in the view
      { run_id: kept.retention_runs?.[0], state: 'planned' },
      { run_id: kept.retention_runs?.[0], state: 'planned' },
    ]);
    expect(await ids('bulk_operations')).toEqual(kept.bulk_operations);
    expect((await query<{ operation_id: number }>('SELECT operation_id FROM bulk_items')).map((row) => Number(row.operation_id)).sort()).toEqual(
      [kept.bulk_operations?.[0], kept.bulk_operations?.[0], kept.bulk_operations?.[0], kept.bulk_operations?.[1]].sort(),
    );
    expect((await query<{ worker_run_id: number }>('SELECT worker_run_id FROM dag_runs ORDER BY worker_run_id')).map((row) => Number(row.worker_run_id))).toEqual(
      kept.dag_action_runs,
    );

    expect((await query<{ id: string }>('SELECT id FROM notification_events ORDER BY id')).map((row) => row.id)).toEqual(['evt_old_owed', 'evt_recent']);

    // the catalog and what the report, retention's guards and the metrics read of the syncs are unchanged
    const after = await views();
    expect(after.catalog).toEqual(before.catalog);
    expect(after.catalog).toHaveLength(9);
    for (const provider of ['affogato', 'mediapocket', 'roughy']) {
      const [b, a] = [before, after].map((v) => v.report.providers.find((p) => p.provider === provider));
      expect(a?.lastCompleteSync, provider).toEqual(b?.lastCompleteSync);
      expect(a?.lastFinishedSync, provider).toEqual(b?.lastFinishedSync);
      expect(a?.openSync, provider).toEqual(b?.openSync);
      expect(a?.total).toBe(3);
    }
    expect(after.report.providers.find((p) => p.provider === 'roughy')?.lastFinishedSync?.partial).toBe(true);

    // one log line with the count of each table
    const line = logLines.map((text) => JSON.parse(text) as { msg: string; deleted?: unknown }).find((entry) => entry.msg.startsWith('history pruned'));
    expect(line?.deleted).toEqual(expectedDeleted);
    expect(line?.msg).toContain('sync_runs 6, quarantine 3, retention_actions 7');
  });

  it('a second prune finds nothing more to delete', async () => {
    const job = await runPruneJob();
    expect(Object.values((job.returnvalue as { deleted: HistoryCounts }).deleted).every((n) => n === 0)).toBe(true);
    expect(await ids('sync_runs')).toEqual(kept.sync_runs);
  });
});
