import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type AffogatoAsset, type Simulator } from '../src/simulator/simulator.ts';
import { createLogger } from '../src/logger.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { catalogOf, rowVersions, type CatalogRow } from './support/catalog.ts';
import { affogatoAgainst } from './support/provider-harness.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const logger = createLogger('silent');

function expectExactMirror(catalog: Map<string, CatalogRow>, truth: AffogatoAsset[]): void {
  const live = [...catalog.values()].filter((row) => row.removed_at === null);
  expect(live.length).toBe(truth.length);
  for (const asset of truth) {
    const row = catalog.get(asset.id);
    expect(row, `asset ${asset.id} missing from the catalog`).toBeDefined();
    expect({
      status: row?.status,
      kind: row?.kind,
      width: row?.width,
      height: row?.height,
      duration: row?.duration_seconds === null || row?.duration_seconds === undefined ? undefined : Number(row.duration_seconds),
      frames: row?.frames ?? undefined,
      url: row?.url,
      removed: row?.removed_at,
    }).toEqual({
      status: asset.status,
      kind: asset.type,
      width: asset.size?.width ?? null,
      height: asset.size?.height ?? null,
      duration: asset.duration,
      frames: asset.frames,
      url: asset.url ?? null,
      removed: null,
    });
    expect(row?.raw).toEqual(asset);
  }
}

describe('Affogato sync', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();
  const redis = createRedis();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    await clearPrefix(prefix);
    redis.disconnect();
  });
  beforeEach(async () => {
    await database.pool.query('TRUNCATE assets, sync_runs, sync_pages, quarantine CASCADE');
  });
  afterEach(async () => {
    await sim.close();
  });

  const sync = async (options: { batchRows?: number } = {}) => {
    const harness = affogatoAgainst(sim, { redis, prefix });
    try {
      return await syncProvider({ pool: database.pool, logger, ...options }, harness.provider);
    } finally {
      await harness.close();
    }
  };

  it('mirrors ~5,000 assets exactly through 500s, 429s and a malformed page', async () => {
    sim = await startSimulator({
      seed: 7,
      counts: { affogato: 5_000 },
      faults: { affogato: { rate500: 0.05, rate429: 0.05, retryAfterSeconds: 0, rateMalformedJson: 0.02 } },
    });
    const summary = await sync();
    expect(summary).toMatchObject({ state: 'complete', seen: 5_000, inserted: 5_000, updated: 0, removed: 0 });
    expect(sim.stats.count('affogato', 'list', 500)).toBeGreaterThan(0);
    expect(sim.stats.count('affogato', 'list', 429)).toBeGreaterThan(0);
    expectExactMirror(await catalogOf(database.pool, 'affogato'), sim.affogato.all());
    const duplicates = await database.pool.query(
      "SELECT asset_id FROM assets WHERE provider = 'affogato' GROUP BY asset_id HAVING count(*) > 1",
    );
    expect(duplicates.rowCount).toBe(0);
  });

  it('rewrites no row when nothing changed, and only the changed rows otherwise', async () => {
    sim = await startSimulator({ seed: 8, counts: { affogato: 1_200 } });
    await sync();
    const before = await rowVersions(database.pool, 'affogato');
    const again = await sync();
    expect(again).toMatchObject({ state: 'complete', inserted: 0, updated: 0, removed: 0 });
    expect(await rowVersions(database.pool, 'affogato')).toEqual(before);

    const [first, second] = sim.affogato.ids();
    sim.affogato.update(first as string, { status: 'censored' });
    sim.affogato.update(second as string, { status: 'archive' });
    const third = await sync();
    expect(third).toMatchObject({ inserted: 0, updated: 2 });
    const after = await rowVersions(database.pool, 'affogato');
    const rewritten = [...after].filter(([id, version]) => before.get(id) !== version).map(([id]) => id);
    expect(rewritten.sort()).toEqual([first, second].sort());
    expect((await catalogOf(database.pool, 'affogato')).get(first as string)?.status).toBe('censored');
  });

  it('marks deleted assets removed after one sync, confirmed one by one, and not those that merely shifted', async () => {
    sim = await startSimulator({ seed: 9, counts: { affogato: 2_000 } });
    await sync();
    const deleted = sim.affogato.ids().filter((_, i) => i % 40 === 0);
    for (const id of deleted) sim.affogato.remove(id);
    // while the next sync pages, new assets land at random places: later pages shift under the client
    sim.onListPage('affogato', (page) => {
      if (page % 3 === 0) sim.affogato.add();
    });
    sim.stats.reset();
    const summary = await sync();
    sim.onListPage('affogato', undefined);
    expect(summary.state).toBe('complete');
    expect(summary.removed).toBe(deleted.length);
    const catalog = await catalogOf(database.pool, 'affogato');
    const removed = [...catalog.values()].filter((row) => row.removed_at !== null).map((row) => row.asset_id);
    expect(removed.sort()).toEqual([...deleted].sort());
    // every removal was confirmed by a 404 from the detail endpoint
    expect(sim.stats.count('affogato', 'get', 404)).toBeGreaterThanOrEqual(deleted.length);
    // nothing present was lost: a final quiet sync leaves the catalog exactly equal to the truth
    await sync();
    expectExactMirror(await catalogOf(database.pool, 'affogato'), sim.affogato.all());
  });

  it('brings back an asset that reappears, clearing removed_at', async () => {
    sim = await startSimulator({ seed: 10, counts: { affogato: 100 } });
    await sync();
    const [id] = sim.affogato.ids();
    const asset = sim.affogato.get(id as string) as AffogatoAsset;
    sim.affogato.remove(asset.id);
    await sync();
    expect((await catalogOf(database.pool, 'affogato')).get(asset.id)?.removed_at).not.toBeNull();
    sim.affogato.add(asset);
    await sync();
    expect((await catalogOf(database.pool, 'affogato')).get(asset.id)?.removed_at).toBeNull();
  });

  it('marks everything removed after an empty listing only once each asset is confirmed gone', async () => {
    sim = await startSimulator({ seed: 11, counts: { affogato: 300 } });
    await sync();
    const all = sim.affogato.ids();
    for (const id of all) sim.affogato.remove(id);
    sim.stats.reset();
    const summary = await sync();
    expect(summary.removed).toBe(300);
    expect(sim.stats.count('affogato', 'get', 404)).toBe(300);
  });

  it('runs the provider once when two syncs start together; the second reports the first', async () => {
    sim = await startSimulator({ seed: 12, counts: { affogato: 1_500 }, latencyMs: 5 });
    const otherPool = (await import('../src/db/client.ts')).createPool(database.url, 4);
    try {
      const harnessA = affogatoAgainst(sim, { redis, prefix });
      const harnessB = affogatoAgainst(sim, { redis, prefix });
      const [a, b] = await Promise.all([
        syncProvider({ pool: database.pool, logger }, harnessA.provider),
        syncProvider({ pool: otherPool, logger }, harnessB.provider),
      ]);
      await Promise.all([harnessA.close(), harnessB.close()]);
      expect(a.runId).toBe(b.runId);
      expect([a.joined, b.joined].sort()).toEqual([false, true]);
      expect(sim.stats.count('affogato', 'list')).toBe(Math.ceil(1_500 / 50));
      const runs = await database.pool.query('SELECT count(*)::int AS n FROM sync_runs');
      expect(runs.rows[0].n).toBe(1);
    } finally {
      await otherPool.end();
    }
  });

  it('stores a malformed record in quarantine with its reason and keeps the rest of its page', async () => {
    sim = await startSimulator({ seed: 13, counts: { affogato: 120 } });
    const [broken] = sim.affogato.ids();
    sim.affogato.update(broken as string, { frames: 'many' as unknown as number });
    const summary = await sync();
    expect(summary).toMatchObject({ state: 'complete', quarantined: 1, inserted: 119 });
    const quarantined = await database.pool.query("SELECT asset_id, reason, raw FROM quarantine WHERE provider = 'affogato'");
    expect(quarantined.rows).toEqual([{ asset_id: broken, reason: expect.stringContaining('"frames"'), raw: expect.objectContaining({ id: broken }) }]);
    // the asset exists at the provider: a malformed payload is never a reason to mark it removed
    expect(summary.removed).toBe(0);
  });
});

describe('Affogato sync against a listing that glitches empty', () => {
  it('marks nothing removed: a sample of the missing assets still exists, so the run is partial', async () => {
    const database = await createTestDatabase();
    const prefix = testQueuePrefix();
    const redis = createRedis();
    const sim = await startSimulator({ seed: 14, counts: { affogato: 400 } });
    try {
      const harness = affogatoAgainst(sim, { redis, prefix });
      await syncProvider({ pool: database.pool, logger }, harness.provider);
      sim.setFaults('affogato', { emptyListing: true });
      sim.stats.reset();
      const summary = await syncProvider({ pool: database.pool, logger }, harness.provider);
      await harness.close();
      expect(summary.state).toBe('partial');
      expect(summary.partialReason).toContain('the listing lacked 400 of 400 live assets');
      expect(summary.removed).toBe(0);
      // only the sample was looked up, not all 400
      expect(sim.stats.count('affogato', 'get')).toBe(10);
      const removed = await database.pool.query("SELECT count(*)::int AS n FROM assets WHERE removed_at IS NOT NULL");
      expect(removed.rows[0].n).toBe(0);
    } finally {
      await sim.close();
      await database.drop();
      await clearPrefix(prefix);
      redis.disconnect();
    }
  });
});
