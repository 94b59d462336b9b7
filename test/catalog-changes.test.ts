/**
 * The catalog's change history (the catalog_changes view) as the worker writes it, end to end: real syncs over
 * HTTP against the simulator, retention apply and undo, bulk operations through their queue. A first import
 * writes one "appeared" row per asset from the catalog itself; a later sync writes exactly what changed at the
 * provider; an unchanged re-sync writes nothing; the worker's own actions are attributed to their run or
 * operation; and every sync run counts the HTTP requests it sent, retries included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { bulkChunkHandler } from '../src/app/job-handlers/bulk-chunk.handler.ts';
import { submitBulkOperation } from '../src/bulk/bulk-submit.ts';
import { getOperation } from '../src/db/bulk.repository.ts';
import { validateBulkRequest } from '../src/domain/bulk-request.ts';
import type { ProviderName } from '../src/domain/provider-facts.ts';
import type { Queues } from '../src/jobs/queues.ts';
import type { AssetProvider } from '../src/providers/provider.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';
import { applyRetention } from '../src/retention/retention-apply.ts';
import { loadRetentionRules } from '../src/retention/retention-rules.loader.ts';
import { undoRetentionRun } from '../src/retention/retention-undo.ts';
import { startSimulator, type SimProvider, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider, type SyncSummary } from '../src/sync/sync-runner.ts';
import { waitFor } from './support/catalog.ts';
import { startInProcessWorker, type InProcessWorker } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { ageAssets, writeRules } from './retention-fixtures.ts';

const PROVIDERS = ['affogato', 'mediapocket', 'roughy'] as const;
const MINUTE_MS = 60_000;

/** One row of catalog_changes, every column but observed_at (compared apart where it is known). */
interface ChangeRow {
  provider: string;
  asset_id: string;
  change: string;
  old_value: string | null;
  new_value: string | null;
  sync_run_id: number | null;
  source: string;
  source_id: string | null;
}

const change = (provider: string, assetId: string, kind: string, values: Partial<ChangeRow> = {}): ChangeRow => ({
  provider,
  asset_id: assetId,
  change: kind,
  old_value: null,
  new_value: null,
  sync_run_id: null,
  source: 'sync',
  source_id: null,
  ...values,
});

const key = (row: ChangeRow) => `${row.provider}|${row.asset_id}|${row.change}|${row.source}|${row.source_id}|${row.sync_run_id}`;
const sortRows = (rows: ChangeRow[]) => [...rows].sort((a, b) => key(a).localeCompare(key(b)));

const RULES = `safety:
  maxActionsPerRun: 500
  maxCatalogFraction: 0.6
  maxSyncAgeMinutes: 60
  protectedTags: [legal-hold]
rules:
  - name: archive-pending-affogato
    provider: affogato
    action: archive
    when:
      olderThanDays: 30
      status: [pending]
  - name: trash-in-review-mediapocket
    provider: mediapocket
    action: trash
    when:
      olderThanDays: 30
      status: [in_review]
  - name: delete-failed-roughy
    provider: roughy
    action: delete
    when:
      olderThanDays: 30
      status: [failed]
`;

describe('catalog changes', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let worker: InProcessWorker;
  let context: AppContext;
  let queues: Queues;
  const prefix = testQueuePrefix();
  // each sync's injected clock: minutes in the past, so retention still finds the last sync fresh
  const firstAt = new Date(Date.now() - 30 * MINUTE_MS);
  const secondAt = new Date(Date.now() - 20 * MINUTE_MS);
  const thirdAt = new Date(Date.now() - 10 * MINUTE_MS);
  const firstRuns = new Map<string, number>();

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 808, counts: { affogato: 150, mediapocket: 150, roughy: 150 } });
    const env = workerEnv(sim, database.url, prefix, { RETENTION_RULES: writeRules(RULES).path });
    worker = startInProcessWorker(env, { handlers: (deps) => [bulkChunkHandler(deps)], queues: ['bulk'] });
    ({ context, queues } = worker);
  });
  afterAll(async () => {
    await worker.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const adapter = (name: ProviderName): AssetProvider => {
    const handle = context.providers.get(name);
    if (handle === undefined) throw new Error(`${name} is not enabled`);
    return handle.provider;
  };

  /** One complete sync on the given clock; its run counted exactly the requests the simulator served it. */
  const sync = async (provider: SimProvider, at: Date): Promise<SyncSummary> => {
    sim.stats.reset();
    const summary = await syncProvider({ pool: context.pool, logger: context.logger, clock: () => at }, adapter(provider));
    expect(summary.state).toBe('complete');
    expect(summary.requests).toBe(sim.stats.count(provider));
    return summary;
  };

  const changesWhere = async (where: string, params: unknown[]): Promise<ChangeRow[]> => {
    const result = await database.pool.query<ChangeRow>(
      `SELECT provider, asset_id, change, old_value, new_value, sync_run_id::int AS sync_run_id, source, source_id
       FROM catalog_changes WHERE ${where}`,
      params,
    );
    return sortRows(result.rows);
  };

  const assetChangeCount = async () => (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM asset_changes')).rows[0]?.n;

  it('a first sync writes one "appeared" row per asset, from the catalog row: its run, the sync clock, and nothing else', async () => {
    for (const provider of PROVIDERS) firstRuns.set(provider, (await sync(provider, firstAt)).runId);
    const catalog = await database.pool.query<{ provider: string; asset_id: string }>('SELECT provider, asset_id FROM assets');
    expect(catalog.rows).toHaveLength(450);
    const expected = catalog.rows.map((row) => change(row.provider, row.asset_id, 'appeared', { sync_run_id: firstRuns.get(row.provider) as number }));
    expect(await changesWhere('true', [])).toEqual(sortRows(expected));
    // the plain COPY of a first import took the first-seen time and run from the change context
    const times = await database.pool.query<{ observed_at: Date; n: number }>('SELECT observed_at, count(*)::int AS n FROM catalog_changes GROUP BY 1');
    expect(times.rows).toEqual([{ observed_at: firstAt, n: 450 }]);
    expect(await assetChangeCount()).toBe(0);
  });

  it('a second sync records exactly what changed at each provider, on its own clock and run', async () => {
    const mp = sim.mediapocket;
    const mpIds = mp.ids().sort();
    const [restoredId, statusId, titleId, tagsId, describedId, removedId, trashedId] = mpIds as [string, string, string, string, string, string, string];

    // an asset in the trash before the sync under test, so that one can come back from it
    mp.trash(restoredId);
    const trashing = await sync('mediapocket', firstAt);
    expect(await changesWhere('sync_run_id = $1', [trashing.runId])).toEqual([change('mediapocket', restoredId, 'trashed', { sync_run_id: trashing.runId })]);

    const oldStatus = mp.get(statusId)?.status as string;
    const newStatus = oldStatus === 'approved' ? 'open' : 'approved';
    mp.update(statusId, { status: newStatus });
    const oldTitle = mp.get(titleId)?.title ?? null;
    mp.update(titleId, { title: 'Renamed at the provider' });
    const oldTags = mp.get(tagsId)?.tags;
    mp.update(tagsId, { tags: ['renamed', 'tag "quoted"'] });
    // a field the history does not follow: the row is rewritten, nothing is recorded
    mp.update(describedId, { description: 'a new description' });
    mp.remove(removedId);
    mp.trash(trashedId);
    mp.restore(restoredId);
    const mpNew = mp.add().id;

    const roughyIds = sim.roughy.ids().sort();
    const [roughyStatusId, roughyRemovedId] = roughyIds as [string, string];
    const roughyOld = sim.roughy.get(roughyStatusId)?.state as string;
    const roughyNewState = roughyOld === 'failed' ? 'ready' : 'failed';
    sim.roughy.update(roughyStatusId, { state: roughyNewState });
    sim.roughy.remove(roughyRemovedId);
    const roughyNew = sim.roughy.add().id;

    const affogatoIds = sim.affogato.ids().sort();
    const [affogatoStatusId, affogatoUrlId, affogatoRemovedId] = affogatoIds as [string, string, string];
    const affogatoOld = sim.affogato.get(affogatoStatusId)?.status as string;
    const affogatoNewStatus = affogatoOld === 'pending' ? 'active' : 'pending';
    sim.affogato.update(affogatoStatusId, { status: affogatoNewStatus });
    sim.affogato.update(affogatoUrlId, { url: 'https://cdn.affogato.invalid/moved.jpg' });
    sim.affogato.remove(affogatoRemovedId);
    const affogatoNew = sim.affogato.add().id;

    const runs = new Map<string, SyncSummary>();
    for (const provider of PROVIDERS) runs.set(provider, await sync(provider, secondAt));
    const runOf = (provider: string) => ({ sync_run_id: runs.get(provider)?.runId as number });

    expect(runs.get('mediapocket')).toMatchObject({ inserted: 1, removed: 1, trashed: 1 });
    expect(await changesWhere('sync_run_id = ANY ($1::bigint[])', [[...runs.values()].map((run) => run.runId)])).toEqual(
      sortRows([
        change('mediapocket', statusId, 'status', { ...runOf('mediapocket'), old_value: oldStatus, new_value: newStatus }),
        change('mediapocket', titleId, 'title', { ...runOf('mediapocket'), old_value: oldTitle, new_value: 'Renamed at the provider' }),
        change('mediapocket', tagsId, 'tags', { ...runOf('mediapocket'), old_value: JSON.stringify(oldTags), new_value: '["renamed","tag \\"quoted\\""]' }),
        change('mediapocket', removedId, 'removed', runOf('mediapocket')),
        change('mediapocket', trashedId, 'trashed', runOf('mediapocket')),
        change('mediapocket', restoredId, 'restored', runOf('mediapocket')),
        change('mediapocket', mpNew, 'appeared', runOf('mediapocket')),
        change('roughy', roughyStatusId, 'status', { ...runOf('roughy'), old_value: roughyOld, new_value: roughyNewState }),
        change('roughy', roughyRemovedId, 'removed', runOf('roughy')),
        change('roughy', roughyNew, 'appeared', runOf('roughy')),
        change('affogato', affogatoStatusId, 'status', { ...runOf('affogato'), old_value: affogatoOld, new_value: affogatoNewStatus }),
        change('affogato', affogatoRemovedId, 'removed', runOf('affogato')),
        change('affogato', affogatoNew, 'appeared', runOf('affogato')),
      ]),
    );
    // every row of the run at the sync's clock; an asset the merge inserted carries its run and time too
    const times = await database.pool.query<{ observed_at: Date }>('SELECT DISTINCT observed_at FROM catalog_changes WHERE sync_run_id = ANY ($1::bigint[])', [
      [...runs.values()].map((run) => run.runId),
    ]);
    expect(times.rows).toEqual([{ observed_at: secondAt }]);
    const inserted = await database.pool.query('SELECT asset_id, first_seen_at, first_seen_sync_run_id::int AS run FROM assets WHERE asset_id = ANY ($1) ORDER BY asset_id', [
      [mpNew, roughyNew, affogatoNew],
    ]);
    expect(inserted.rows).toEqual(
      [
        { asset_id: mpNew, first_seen_at: secondAt, run: runs.get('mediapocket')?.runId },
        { asset_id: roughyNew, first_seen_at: secondAt, run: runs.get('roughy')?.runId },
        { asset_id: affogatoNew, first_seen_at: secondAt, run: runs.get('affogato')?.runId },
      ].sort((a, b) => a.asset_id.localeCompare(b.asset_id)),
    );
    // the rows the first sync read from the catalog are still there, with the first run
    const appeared = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM catalog_changes WHERE change = 'appeared' AND sync_run_id = ANY ($1::bigint[])",
      [[...firstRuns.values()]],
    );
    expect(appeared.rows[0]?.n).toBe(450);
  });

  it('an unchanged re-sync records nothing', async () => {
    const before = await assetChangeCount();
    const runs: number[] = [];
    for (const provider of PROVIDERS) {
      const summary = await sync(provider, thirdAt);
      expect(summary).toMatchObject({ inserted: 0, updated: 0, removed: 0, trashed: 0 });
      runs.push(summary.runId);
    }
    expect(await assetChangeCount()).toBe(before);
    expect(await changesWhere('sync_run_id = ANY ($1::bigint[])', [runs])).toEqual([]);
  });

  it('counts each run its own requests, retries included, with three providers syncing side by side through faults', async () => {
    sim.stats.reset();
    for (const provider of PROVIDERS) sim.setFaults(provider, { rate500: 0.15, rate429: 0.1, retryAfterSeconds: 0, rate502Html: 0.05 });
    let summaries: SyncSummary[];
    try {
      summaries = await Promise.all(PROVIDERS.map((provider) => syncProvider({ pool: context.pool, logger: context.logger }, adapter(provider))));
    } finally {
      for (const provider of PROVIDERS) sim.setFaults(provider, undefined);
    }
    for (const summary of summaries) {
      const provider = summary.provider as SimProvider;
      const stored = await database.pool.query<{ requests: number }>('SELECT requests FROM sync_runs WHERE id = $1', [summary.runId]);
      expect([provider, stored.rows[0]?.requests]).toEqual([provider, sim.stats.count(provider)]);
      expect(summary.requests).toBe(sim.stats.count(provider));
    }
    // retried answers were served and counted
    const retried = PROVIDERS.reduce((n, provider) => n + sim.stats.count(provider, 'list', 500) + sim.stats.count(provider, 'list', 429), 0);
    expect(retried).toBeGreaterThan(0);
  });

  it("records retention's archives, trashes and deletes, and an undo's restores, under their run", async () => {
    const before = await assetChangeCount();
    for (const provider of PROVIDERS) {
      const ids = (await database.pool.query<{ asset_id: string }>('SELECT asset_id FROM assets WHERE provider = $1', [provider])).rows.map((row) => row.asset_id);
      // test setup, as retention-fixtures does: no followed column changes, so no history row either
      await ageAssets(database.pool, provider, ids, 40);
    }
    expect(await assetChangeCount()).toBe(before);
    const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
    const outcomes = await applyRetention({ pool: context.pool, logger: context.logger, providers: context.registry }, loaded, PROVIDERS.map(adapter));
    const expected: ChangeRow[] = [];
    const effect: Record<string, (assetId: string, source: Partial<ChangeRow>) => ChangeRow> = {
      affogato: (id, source) => change('affogato', id, 'status', { ...source, old_value: 'pending', new_value: 'archive' }),
      mediapocket: (id, source) => change('mediapocket', id, 'trashed', source),
      roughy: (id, source) => change('roughy', id, 'removed', source),
    };
    const runIds = new Map<string, number>();
    for (const outcome of outcomes) {
      if (!('result' in outcome)) throw outcome.error;
      const { runId, applied } = outcome.result;
      expect([outcome.provider, applied > 0]).toEqual([outcome.provider, true]);
      runIds.set(outcome.provider, runId as number);
      const actions = await database.pool.query<{ asset_id: string }>("SELECT asset_id FROM retention_actions WHERE run_id = $1 AND state = 'applied'", [runId]);
      expect(actions.rows).toHaveLength(applied);
      for (const row of actions.rows) expected.push(effect[outcome.provider]!(row.asset_id, { source: 'retention', source_id: String(runId) }));
    }
    expect(await changesWhere("source = 'retention'", [])).toEqual(sortRows(expected));

    const trashRun = runIds.get('mediapocket') as number;
    const undone = await undoRetentionRun(
      { pool: context.pool, logger: context.logger, providers: context.registry },
      { runId: trashRun, startedBy: 'test', providerOf: adapter },
    );
    if (undone.kind !== 'undone') throw new Error(`undo was ${undone.kind}`);
    const restored = await database.pool.query<{ asset_id: string }>("SELECT asset_id FROM retention_actions WHERE run_id = $1 AND state = 'applied'", [undone.undoRunId]);
    expect(restored.rows.length).toBe(expected.filter((row) => row.provider === 'mediapocket').length);
    expect(await changesWhere("source = 'undo'", [])).toEqual(
      sortRows(restored.rows.map((row) => change('mediapocket', row.asset_id, 'restored', { source: 'undo', source_id: String(undone.undoRunId) }))),
    );
  });

  it('records bulk operations under their operation', async () => {
    const live = async (provider: string, where: string) =>
      (await database.pool.query<{ asset_id: string }>(`SELECT asset_id FROM assets WHERE provider = $1 AND removed_at IS NULL AND ${where} ORDER BY asset_id LIMIT 2`, [provider])).rows.map(
        (row) => row.asset_id,
      );
    const runBulk = async (action: string, provider: string, ids: string[]): Promise<number> => {
      const { operation } = await submitBulkOperation(context, queues, validateBulkRequest(action, provider, undefined, builtinProviderRegistry), ids);
      await waitFor(async () => ((await getOperation(context.db, operation.id))?.state === 'done' ? true : undefined));
      return operation.id;
    };
    const toTrash = await live('mediapocket', 'trashed_at IS NULL');
    const toArchive = await live('affogato', "status = 'active'");
    const toDelete = await live('roughy', 'true');
    const trashOp = await runBulk('trash', 'mediapocket', toTrash);
    const archiveOp = await runBulk('archive', 'affogato', toArchive);
    const deleteOp = await runBulk('delete', 'roughy', toDelete);
    expect(await changesWhere("source = 'bulk'", [])).toEqual(
      sortRows([
        ...toTrash.map((id) => change('mediapocket', id, 'trashed', { source: 'bulk', source_id: String(trashOp) })),
        ...toArchive.map((id) => change('affogato', id, 'status', { source: 'bulk', source_id: String(archiveOp), old_value: 'active', new_value: 'archive' })),
        ...toDelete.map((id) => change('roughy', id, 'removed', { source: 'bulk', source_id: String(deleteOp) })),
      ]),
    );
  });

  it('leaves no change unattributed: every writer of the catalog set its change context', async () => {
    const sources = await database.pool.query<{ source: string; n: number }>('SELECT source, count(*)::int AS n FROM catalog_changes GROUP BY source ORDER BY source');
    expect(sources.rows.map((row) => row.source)).toEqual(['bulk', 'retention', 'sync', 'undo']);
  });
});
