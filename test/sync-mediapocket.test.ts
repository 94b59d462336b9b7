import { isDeepStrictEqual } from 'node:util';
import type { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../src/errors.ts';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createMediaPocketClient } from '../src/providers/mediapocket/mediapocket.client.ts';
import { createMediaPocketProvider } from '../src/providers/mediapocket/mediapocket.provider.ts';
import { Secret } from '../src/secret.ts';
import { startSimulator, type MediaPocketAsset, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { runCli } from './support/cli.ts';
import { clearPrefix, createRedis, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from './support/services.ts';

const logger = createLogger('silent');

/** The adapter as src/app/context.ts builds it, pointed at the simulator, with fast retries. */
function mediaPocketAgainst(sim: Simulator, redis: Redis, prefix: string) {
  const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { mediapocket: 1_000 } });
  const client = createMediaPocketClient({
    config: { apiKey: new Secret(sim.apiKeys.mediapocket), baseUrl: sim.baseUrls.mediapocket, rps: 1_000 },
    rateLimiter,
    logger,
    http: { backoff: { baseMs: 5, capMs: 50 }, retries: 8 },
  });
  return { provider: createMediaPocketProvider(client, { logger }), close: () => client.close() };
}

interface MediaPocketRow {
  asset_id: string;
  kind: string | null;
  status: string | null;
  title: string | null;
  description: string | null;
  category: string | null;
  tags: string[] | null;
  provider_created_at: Date | null;
  provider_updated_at: Date | null;
  trashed_at: Date | null;
  removed_at: Date | null;
  raw: unknown;
}

/** The reporting view, plus description and category, which the view does not show. */
async function catalog(database: TestDatabase): Promise<Map<string, MediaPocketRow>> {
  const result = await database.pool.query<MediaPocketRow>(
    `SELECT v.asset_id, v.kind, v.status, v.title, a.description, a.category, v.tags, v.provider_created_at,
            v.provider_updated_at, v.trashed_at, v.removed_at, v.raw
     FROM catalog_assets v JOIN assets a USING (provider, asset_id) WHERE v.provider = 'mediapocket'`,
  );
  return new Map(result.rows.map((row) => [row.asset_id, row]));
}

/** Every mapped field of every listed asset, and nothing else live and untrashed. */
function expectExactMirror(rows: Map<string, MediaPocketRow>, truth: readonly MediaPocketAsset[]): void {
  const live = [...rows.values()].filter((row) => row.removed_at === null && row.trashed_at === null).map((row) => row.asset_id);
  expect(live.sort()).toEqual(truth.map((asset) => asset.id).sort());
  const mismatches: unknown[] = [];
  for (const asset of truth) {
    const row = rows.get(asset.id);
    const actual = row && { ...row, provider_created_at: row.provider_created_at?.toISOString(), provider_updated_at: row.provider_updated_at?.toISOString() };
    const expected = {
      asset_id: asset.id,
      kind: asset.media_type,
      status: asset.status,
      title: asset.title,
      description: asset.description,
      category: asset.category,
      tags: asset.tags,
      provider_created_at: new Date(asset.created_date).toISOString(),
      provider_updated_at: new Date(asset.modification_date).toISOString(),
      trashed_at: null,
      removed_at: null,
      // ai_tags, owner, md5_sum… stay in raw, exactly as received
      raw: asset,
    };
    if (!isDeepStrictEqual(actual, expected)) mismatches.push({ actual, expected });
  }
  expect(mismatches.slice(0, 3)).toEqual([]);
}

describe('Media Pocket sync', () => {
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
    await sim?.close();
  });

  const sync = async () => {
    const harness = mediaPocketAgainst(sim, redis, prefix);
    try {
      return await syncProvider({ pool: database.pool, logger }, harness.provider);
    } finally {
      await harness.close();
    }
  };

  it('mirrors ~3,000 assets exactly, every mapped field, through 500s, 429s, gateway pages, slow pages and malformed JSON', async () => {
    sim = await startSimulator({
      seed: 51,
      counts: { mediapocket: 3_000 },
      faults: {
        mediapocket: { rate500: 0.08, rate429: 0.08, retryAfterSeconds: 0, rate502Html: 0.08, rateMalformedJson: 0.05, rateSlow: 0.1, slowMs: 150 },
      },
    });
    const summary = await sync();
    console.info('mediapocket faults', sim.stats.requests.mediapocket);
    expect(summary).toMatchObject({ state: 'complete', seen: 3_000, inserted: 3_000, updated: 0, removed: 0, quarantined: 0, pages: 30 });
    for (const status of [500, 429, 502]) expect(sim.stats.count('mediapocket', 'list', status), `HTTP ${status}`).toBeGreaterThan(0);
    expectExactMirror(await catalog(database), sim.mediapocket.all());
    expect(sim.stats.count('mediapocket', 'get')).toBe(0);
  });

  it('tells trashed assets from permanently deleted ones, and clears both marks when an asset comes back', async () => {
    sim = await startSimulator({ seed: 52, counts: { mediapocket: 400 } });
    await sync();
    const ids = sim.mediapocket.ids();
    const trashed = ids.slice(0, 10);
    const deleted = ids.slice(10, 20);
    const trashedAt = new Date('2025-06-01T12:00:00.000Z');
    for (const id of trashed) sim.mediapocket.trash(id, trashedAt);
    const deletedAssets = deleted.map((id) => sim.mediapocket.get(id) as MediaPocketAsset);
    for (const id of deleted) sim.mediapocket.remove(id);

    const second = await sync();
    expect(second).toMatchObject({ state: 'complete', trashed: 10, removed: 10 });
    let rows = await catalog(database);
    for (const id of trashed) expect([id, rows.get(id)?.trashed_at, rows.get(id)?.removed_at]).toEqual([id, trashedAt, null]);
    for (const id of deleted) expect(rows.get(id)?.removed_at).toBeInstanceOf(Date);
    expect(rows.get(trashed[0] as string)?.raw).toMatchObject({ deleted: trashedAt.toISOString() });
    expect(sim.stats.count('mediapocket', 'get', 200)).toBe(10);
    expect(sim.stats.count('mediapocket', 'get', 404)).toBe(10);
    expectExactMirror(rows, sim.mediapocket.all());

    // restored from the trash, purged from the trash by the provider, re-created under the same id
    const [restored, purged] = trashed as [string, string];
    sim.mediapocket.restore(restored);
    sim.mediapocket.remove(purged);
    const [back] = deletedAssets as [MediaPocketAsset];
    sim.mediapocket.add(back);
    const third = await sync();
    expect(third).toMatchObject({ state: 'complete', removed: 1 });
    rows = await catalog(database);
    expect([rows.get(restored)?.trashed_at, rows.get(restored)?.removed_at]).toEqual([null, null]);
    expect(rows.get(purged)?.removed_at).toBeInstanceOf(Date);
    expect([rows.get(back.id)?.removed_at, rows.get(back.id)?.raw]).toEqual([null, back]);
    expectExactMirror(rows, sim.mediapocket.all());
    const stillTrashed = [...rows.values()].filter((row) => row.trashed_at !== null && row.removed_at === null).map((row) => row.asset_id);
    expect(stillTrashed.sort()).toEqual(sim.mediapocket.allTrashed().map((asset) => asset.id).sort());
  });

  it('quarantines malformed records with provider, payload and reason, and stores the rest of their page', async () => {
    sim = await startSimulator({ seed: 53, counts: { mediapocket: 60 } });
    const [broken] = sim.mediapocket.ids() as [string];
    sim.mediapocket.update(broken, { tags: 'summer,beach' as unknown as string[] });
    const idless = sim.mediapocket.add({ id: '' });
    const summary = await sync();
    expect(summary).toMatchObject({ state: 'complete', quarantined: 2, inserted: 59, removed: 0 });
    const rows = await database.pool.query<{ provider: string; asset_id: string | null; reason: string; raw: unknown }>(
      'SELECT provider, asset_id, reason, raw FROM quarantine ORDER BY asset_id NULLS FIRST',
    );
    expect(rows.rows).toEqual([
      { provider: 'mediapocket', asset_id: null, reason: 'field "id" is not a valid id: ""', raw: idless },
      { provider: 'mediapocket', asset_id: broken, reason: 'field "tags" should be an array of strings, got "summer,beach"', raw: sim.mediapocket.get(broken) },
    ]);
    const stored = await catalog(database);
    expect(stored.size).toBe(59);
    // all on one page (per_page 100): the broken record did not cost its neighbours
    expect(summary.pages).toBe(1);
    expectExactMirror(stored, sim.mediapocket.all().filter((asset) => asset.id !== broken && asset.id !== ''));
  });

  it('fails the sync on a 200 carrying `error`, without retrying it, and resumes once the provider answers', async () => {
    sim = await startSimulator({ seed: 54, counts: { mediapocket: 150 }, faults: { mediapocket: { rateErrorIn200: 1 } } });
    const error = await sync().then(
      () => undefined,
      (reason: unknown) => reason,
    );
    expect(error).toBeInstanceOf(ProviderError);
    expect(error).toMatchObject({ kind: 'permanent', message: expect.stringContaining('Something went wrong. Please try again later.') });
    expect(sim.stats.count('mediapocket', 'list')).toBe(1);
    sim.setFaults('mediapocket', undefined);
    const summary = await sync();
    expect(summary).toMatchObject({ state: 'complete', inserted: 150 });
  });

  it('refuses a key without a base URL: exit 2 naming MEDIAPOCKET_BASE_URL', async () => {
    const result = await runCli(['sync', '--provider', 'mediapocket'], {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      MEDIAPOCKET_API_KEY: 'mp-secret-key',
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('MEDIAPOCKET_BASE_URL is required when MEDIAPOCKET_API_KEY is set');
    expect(result.stderr + result.stdout).not.toContain('mp-secret-key');
  });
});
