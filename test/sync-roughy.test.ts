import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createRoughyClient } from '../src/providers/roughy/roughy.client.ts';
import { createRoughyProvider } from '../src/providers/roughy/roughy.provider.ts';
import { Secret } from '../src/secret.ts';
import { startSimulator, toListItem, type RoughyAsset, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { catalogOf, type CatalogRow } from './support/catalog.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const logger = createLogger('silent');

/** The adapter as src/app/context.ts builds it, pointed at the simulator, with fast retries. */
function roughyAgainst(sim: Simulator, redis: Redis, prefix: string) {
  const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { roughy: 1_000 } });
  const client = createRoughyClient({
    config: { apiKey: new Secret(sim.apiKeys.roughy), baseUrl: sim.baseUrls.roughy, rps: 1_000 },
    rateLimiter,
    logger,
    http: { backoff: { baseMs: 5, capMs: 50 }, retries: 8 },
  });
  return { provider: createRoughyProvider(client), close: () => client.close() };
}

/** Every mapped field of every asset, and nothing live that the provider does not have. */
function expectExactMirror(catalog: Map<string, CatalogRow>, truth: readonly RoughyAsset[]): void {
  const live = [...catalog.values()].filter((row) => row.removed_at === null).map((row) => row.asset_id);
  expect(live.sort()).toEqual(truth.map((asset) => asset.id).sort());
  const mismatches: unknown[] = [];
  for (const asset of truth) {
    const row = catalog.get(asset.id);
    const actual = row && {
      kind: row.kind,
      status: row.status,
      duration: row.duration_seconds,
      size: row.size_bytes,
      created: row.provider_created_at?.toISOString(),
      updated: row.provider_updated_at,
      unmapped: [row.title, row.url, row.width, row.height, row.frames, row.tags, row.trashed_at],
      raw: row.raw,
    };
    const expected = {
      kind: asset.type,
      status: asset.state,
      duration: asset.duration_seconds,
      size: asset.size_bytes,
      created: new Date(asset.created_at).toISOString(),
      updated: null,
      unmapped: [null, null, null, null, null, null, null],
      // the listing's item, as received: no signed URL, nothing added by a detail read
      raw: toListItem(asset),
    };
    if (!isDeepStrictEqual(actual, expected)) mismatches.push({ id: asset.id, actual, expected });
  }
  expect(mismatches.slice(0, 3)).toEqual([]);
}

/** mulberry32, so the drift scenario is the same on every run */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

describe('Roughy sync', () => {
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
    sim.onListPage('roughy', undefined);
    await sim.close();
  });

  const sync = async () => {
    const harness = roughyAgainst(sim, redis, prefix);
    try {
      return await syncProvider({ pool: database.pool, logger }, harness.provider);
    } finally {
      await harness.close();
    }
  };

  it('mirrors ~3,000 assets exactly, every mapped field, through 500s, 429s, gateway pages, slow pages and malformed JSON', async () => {
    sim = await startSimulator({
      seed: 21,
      counts: { roughy: 3_000 },
      faults: {
        roughy: { rate500: 0.08, rate429: 0.08, retryAfterSeconds: 0, rate502Html: 0.08, rateMalformedJson: 0.05, rateSlow: 0.1, slowMs: 150 },
      },
    });
    const summary = await sync();
    console.info('roughy faults', sim.stats.requests.roughy);
    expect(summary).toMatchObject({ state: 'complete', seen: 3_000, inserted: 3_000, updated: 0, removed: 0, quarantined: 0 });
    for (const status of [500, 429, 502]) expect(sim.stats.count('roughy', 'list', status), `HTTP ${status}`).toBeGreaterThan(0);
    expectExactMirror(await catalogOf(database.pool, 'roughy'), sim.roughy.all());
    // nothing was missing from the listing, so no asset needed a detail read
    expect(sim.stats.count('roughy', 'get')).toBe(0);
    // the walk reads ~99 new items per page: 3,000 assets in 31 pages, plus one look at the head
    expect(summary.pages).toBe(32);
  });

  it('ends exact when assets are created and deleted at the provider while it pages, on a first and on a later sync', async () => {
    sim = await startSimulator({ seed: 22, counts: { roughy: 3_000 } });
    let removedBefore: string[] = [];
    const removedFigures: unknown[] = [];
    for (const round of [1, 2]) {
      const random = seeded(round);
      const created: string[] = [];
      const deletedBehind: string[] = [];
      const deletedAhead: string[] = [];
      // page requests 2..20 of the listing: each deletes three assets the walk has (most likely) passed, pulling
      // the rest up so that a plain offset walk would skip three; one it has not reached yet; and creates two
      sim.onListPage('roughy', (request) => {
        if (request < 2 || request > 20) return;
        const fresh = new Set(created);
        const ids = sim.roughy.ids().filter((id) => !fresh.has(id));
        // the hook does not know the walk's offset; about 40 assets per request have surely been passed
        const passed = Math.min((request - 1) * 40, ids.length);
        for (let i = 0; i < 3; i += 1) {
          const id = ids[Math.floor(random() * passed)];
          if (id !== undefined && sim.roughy.get(id) !== undefined) {
            sim.roughy.remove(id);
            deletedBehind.push(id);
          }
        }
        const ahead = ids[passed + 150 + Math.floor(random() * 500)];
        if (ahead !== undefined && sim.roughy.get(ahead) !== undefined) {
          sim.roughy.remove(ahead);
          deletedAhead.push(ahead);
        }
        created.push(sim.roughy.add().id, sim.roughy.add().id);
      });
      sim.stats.reset();
      const summary = await sync();
      sim.onListPage('roughy', undefined);

      expect(summary.state).toBe('complete');
      const catalog = await catalogOf(database.pool, 'roughy');
      expectExactMirror(catalog, sim.roughy.all());
      for (const id of created) expect(catalog.get(id)?.removed_at, `created ${id}`).toBeNull();
      // removed: exactly the deleted assets the catalog knew of, including those this very run had listed before
      // they were deleted (a first run never stores the ones deleted before it reached them)
      const deleted = new Set([...deletedBehind, ...deletedAhead]);
      const removedNow = [...catalog.values()].filter((row) => row.removed_at !== null).map((row) => row.asset_id);
      const removedByThisRun = removedNow.filter((id) => !removedBefore.includes(id));
      expect(removedByThisRun.sort()).toEqual([...deleted].filter((id) => catalog.has(id)).sort());
      // in a first run every removal is of an asset this run had listed before it was deleted
      if (round === 1) expect(removedByThisRun.length).toBeGreaterThanOrEqual(20);
      // every removal confirmed by a 404; no asset that exists was ever in doubt (none needed a detail read)
      expect(sim.stats.count('roughy', 'get', 404)).toBe(removedByThisRun.length);
      expect(sim.stats.count('roughy', 'get', 200)).toBe(0);
      removedFigures.push({ round, deleted: deleted.size, created: created.length, removed: removedByThisRun.length, pages: summary.pages, listRequests: sim.stats.count('roughy', 'list') });
      removedBefore = removedNow;
    }
    console.info('roughy drift', removedFigures);
  });

  it('quarantines malformed records with their reason, stores the rest of the page, and stays complete', async () => {
    sim = await startSimulator({ seed: 23, counts: { roughy: 150 } });
    const [broken] = sim.roughy.ids();
    sim.roughy.update(broken as string, { duration_seconds: 'long' });
    sim.roughy.add({ id: '' });
    const summary = await sync();
    expect(summary).toMatchObject({ state: 'complete', quarantined: 2, inserted: 149, removed: 0 });
    const rows = await database.pool.query<{ asset_id: string | null; reason: string; raw: { id: string; duration_seconds: string } }>(
      "SELECT asset_id, reason, raw FROM quarantine WHERE provider = 'roughy' ORDER BY asset_id NULLS FIRST",
    );
    expect(rows.rows).toEqual([
      { asset_id: null, reason: 'field "id" is not a valid id: ""', raw: expect.objectContaining({ id: '' }) },
      { asset_id: broken, reason: 'field "duration_seconds" should be a decimal number, got "long"', raw: expect.objectContaining({ id: broken }) },
    ]);
    const catalog = await catalogOf(database.pool, 'roughy');
    expect(catalog.size).toBe(149);
    expect(catalog.has(broken as string)).toBe(false);
    // the record without an id is counted out of the listing's total, so no second pass was needed
    const run = await database.pool.query<{ pass: number }>('SELECT pass FROM sync_runs WHERE id = $1', [summary.runId]);
    expect(run.rows[0]?.pass).toBe(1);
  });
});
