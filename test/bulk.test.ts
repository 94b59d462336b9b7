/**
 * Bulk operations end to end in one process: real Postgres and Redis, BullMQ workers for the bulk and dag
 * queues, the real adapters over HTTP against the simulator.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { itemCountsByState } from '../src/db/bulk.repository.ts';
import { DEFAULT_DAG_POLL_POLICY } from '../src/domain/dag-poll-policy.ts';
import { bulkChunkHandler } from '../src/app/job-handlers/bulk-chunk.handler.ts';
import { dagPollHandler } from '../src/app/job-handlers/dag-poll.handler.ts';
import { dagSweepHandler } from '../src/app/job-handlers/dag-sweep.handler.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { runBulk } from './support/bulk.ts';
import { startInProcessWorker, type InProcessWorker } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const FAST_DAG = { ...DEFAULT_DAG_POLL_POLICY, baseMs: 100, capMs: 300, minMs: 20 };

describe('bulk operations', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let worker: InProcessWorker;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 41, counts: { affogato: 1_000, mediapocket: 60, roughy: 10 } });
    worker = startInProcessWorker(simulatorEnv(sim, database.url, prefix, { affogato: 200, mediapocket: 200, roughy: 200 }), {
      handlers: (deps) => [dagPollHandler(deps, { policy: FAST_DAG }), dagSweepHandler(deps), bulkChunkHandler(deps, { dagPolicy: FAST_DAG })],
      queues: ['bulk', 'dag'],
    });
    context = worker.context;
    for (const name of ['affogato', 'mediapocket', 'roughy'] as const) {
      const handle = context.providers.get(name);
      if (handle === undefined) throw new Error(`${name} is not enabled`);
      await syncProvider({ pool: context.pool, logger: context.logger }, handle.provider);
    }
  });
  afterAll(async () => {
    await worker.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const destructive = (operation: string) => sim.stats.destructiveCalls.filter((call) => call.operation === operation);

  it('bulk trash of 3 ids trashes exactly those, once each, and the catalog shows it at once', async () => {
    const ids = sim.mediapocket.ids().slice(0, 3);
    const before = destructive('trash').length;
    const { items } = await runBulk(worker, 'trash', 'mediapocket', ids);
    expect(items.map((item) => [item.assetId, item.state, item.outcome, item.attempts])).toEqual(ids.map((id) => [id, 'done', 'applied', 1]));
    expect(sim.mediapocket.allTrashed().map((asset) => asset.id).sort()).toEqual([...ids].sort());
    const calls = destructive('trash').slice(before);
    expect(calls.map((call) => call.assetIds[0]).sort()).toEqual([...ids].sort());
    const trashed = await database.pool.query("SELECT asset_id FROM catalog_assets WHERE provider = 'mediapocket' AND trashed_at IS NOT NULL ORDER BY asset_id");
    expect(trashed.rows.map((row) => row.asset_id)).toEqual([...ids].sort());
  });

  it('restore brings them back; an asset not in the trash is already restored', async () => {
    const trashed = sim.mediapocket.allTrashed().map((asset) => asset.id);
    const notTrashed = sim.mediapocket.ids()[10] as string;
    const { items } = await runBulk(worker, 'restore', 'mediapocket', [...trashed, notTrashed]);
    expect(items).toHaveLength(4);
    expect(items.every((item) => item.state === 'done' && item.outcome === 'applied')).toBe(true);
    expect(sim.mediapocket.allTrashed()).toEqual([]);
    const stillTrashed = await database.pool.query("SELECT count(*)::int AS n FROM assets WHERE provider = 'mediapocket' AND trashed_at IS NOT NULL");
    expect(stillTrashed.rows[0].n).toBe(0);
  });

  it('ids the catalog does not know are still attempted and reported; repeats are done once', async () => {
    const fresh = sim.mediapocket.add().id;
    const known = sim.mediapocket.ids()[20] as string;
    const { items } = await runBulk(worker, 'delete', 'mediapocket', [known, fresh, 'NoSuchAsset000000001', known]);
    expect(items.map((item) => [item.state, item.outcome])).toEqual([
      ['done', 'applied'],
      ['done', 'applied,not_in_catalog'],
      ['done', 'already_gone,not_in_catalog'],
      ['skipped', 'duplicate'],
    ]);
    expect(sim.mediapocket.get(known)).toBeUndefined();
    expect(sim.mediapocket.get(fresh)).toBeUndefined();
    expect(destructive('delete').filter((call) => call.assetIds[0] === known)).toHaveLength(1);
    const row = await database.pool.query("SELECT removed_at FROM catalog_assets WHERE provider = 'mediapocket' AND asset_id = $1", [known]);
    expect(row.rows[0].removed_at).not.toBeNull();
  });

  it('bulk archive of 1,000 Affogato ids uses multi-id calls and archives all despite partial answers and 429s', async () => {
    const ids = sim.affogato.ids();
    expect(ids).toHaveLength(1_000);
    const archivedBefore = ids.filter((id) => sim.affogato.get(id)?.status === 'archive').length;
    sim.stats.reset();
    // A partial answer leaves out about half of a call's ids, and all of a one-id call's. An id left out of all 3 of
    // its attempts is looked up and, still not archived, recorded failed (retention's rule): a few per run may be.
    sim.setFaults('affogato', { rateArchivePartial: 0.3, rate429: 0.15, retryAfterSeconds: 1 });
    let result;
    try {
      result = await runBulk(worker, 'archive', 'affogato', ids);
    } finally {
      sim.setFaults('affogato', undefined);
    }
    const failed = result.items.filter((item) => item.state === 'failed');
    expect(result.items.filter((item) => item.state === 'done' && item.outcome !== 'applied')).toEqual([]);
    expect(failed.length).toBeLessThan(20);
    for (const item of failed) {
      expect(item).toMatchObject({ outcome: 'not_applied', attempts: 3 });
      expect(item.error).toBe('affogato did not archive it in 3 attempts (left out of the answer)');
    }
    // what is recorded is what the provider shows: done items archived, failed ones not
    const archived = new Set(ids.filter((id) => sim.affogato.get(id)?.status === 'archive'));
    expect(result.items.filter((item) => archived.has(item.assetId) !== (item.state === 'done'))).toEqual([]);
    const calls = destructive('archive');
    const answered = calls.filter((call) => call.status === 200);
    expect(Math.max(...calls.map((call) => call.assetIds.length))).toBe(50);
    // 1,000 ids in 50-id calls is 20 calls; partial answers added some, one-id-at-a-time would be 1,000
    expect(answered.length).toBeGreaterThanOrEqual(20);
    expect(answered.length).toBeLessThan(100);
    expect(sim.stats.served429ByProvider.affogato).toBeGreaterThan(0);
    const retried = result.items.filter((item) => item.attempts > 1).length;
    expect(retried).toBeGreaterThan(0);
    const catalog = await database.pool.query("SELECT count(*)::int AS n FROM catalog_assets WHERE provider = 'affogato' AND status = 'archive'");
    expect(catalog.rows[0].n).toBe(1_000 - failed.length);
    console.info(
      `archive of 1,000: ${answered.length} answered calls (${calls.length} sent), ${sim.stats.served429ByProvider.affogato} 429s, ` +
        `${retried} ids needed more than one call, ${failed.length} failed after 3, ${archivedBefore} were already archived`,
    );
  });

  it('an Affogato id the provider never archives is checked after its 3 attempts, then reported as gone', async () => {
    const { items } = await runBulk(worker, 'archive', 'affogato', ['ast_doesNotExist000000']);
    expect(items[0]).toMatchObject({ state: 'done', outcome: 'already_gone,not_in_catalog', attempts: 3 });
  });

  it('Roughy deletes one asset per call; a refused id fails with the provider message', async () => {
    const ids = sim.roughy.ids().slice(0, 3);
    const { id, items } = await runBulk(worker, 'delete', 'roughy', [...ids, 'not-a-uuid']);
    expect(items.slice(0, 3).every((item) => item.state === 'done' && item.outcome === 'applied')).toBe(true);
    expect(items[3]).toMatchObject({ state: 'failed', outcome: 'not_applied,not_in_catalog' });
    expect(items[3]?.error).toMatch(/422/);
    for (const assetId of ids) {
      expect(sim.roughy.get(assetId)).toBeUndefined();
      expect(destructive('delete').filter((call) => call.provider === 'roughy' && call.assetIds[0] === assetId)).toHaveLength(1);
    }
    expect(await itemCountsByState(context.db, id)).toEqual({ pending: 0, in_flight: 0, done: 3, failed: 1, skipped: 0 });
  });

  it('bulk dag starts and tracks one run per asset; each item ends with its run', async () => {
    const ids = sim.mediapocket.ids().slice(30, 35);
    const { items } = await runBulk(worker, 'dag', 'mediapocket', ids, '1');
    expect(items.map((item) => [item.state, item.outcome])).toEqual(ids.map(() => ['done', 'succeeded']));
    for (const assetId of ids) expect(sim.mediapocket.dagRuns(assetId).map((run) => run.status)).toEqual(['finished']);
    const runs = await database.pool.query("SELECT outcome, status FROM dag_runs WHERE asset_id = ANY ($1)", [ids]);
    expect(runs.rows).toEqual(ids.map(() => ({ outcome: 'succeeded', status: 'finished' })));

    const failing = await runBulk(worker, 'dag', 'mediapocket', sim.mediapocket.ids().slice(35, 37), '2');
    expect(failing.items.map((item) => [item.state, item.outcome])).toEqual([
      ['failed', 'failed'],
      ['failed', 'failed'],
    ]);
    expect(failing.items[0]?.error).toMatch(/status failed/);
  });
});
