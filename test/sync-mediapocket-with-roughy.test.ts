import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createMediaPocketClient } from '../src/providers/mediapocket/mediapocket.client.ts';
import { createMediaPocketProvider } from '../src/providers/mediapocket/mediapocket.provider.ts';
import { createRoughyClient } from '../src/providers/roughy/roughy.client.ts';
import { createRoughyProvider } from '../src/providers/roughy/roughy.provider.ts';
import { Secret } from '../src/secret.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider, type SyncSummary } from '../src/sync/sync-runner.ts';
import { catalogOf } from './support/catalog.ts';
import { runCli } from './support/cli.ts';
import { clearPrefix, createRedis, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from './support/services.ts';

const logger = createLogger('silent');

describe('Media Pocket and Roughy side by side', () => {
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

  it('a rate-limited Media Pocket does not hold up Roughy, and finishes once the provider lets it', async () => {
    sim = await startSimulator({
      seed: 81,
      counts: { mediapocket: 1_000, roughy: 3_000 },
      faults: { mediapocket: { rate429: 1, retryAfterSeconds: 1 } },
    });
    // one budget per provider on the same Redis prefix, as in a deployment
    const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { mediapocket: 1_000, roughy: 1_000 } });
    const http = { backoff: { baseMs: 5, capMs: 50 } };
    const mpClient = createMediaPocketClient({
      config: { apiKey: new Secret(sim.apiKeys.mediapocket), baseUrl: sim.baseUrls.mediapocket, rps: 1_000 },
      rateLimiter,
      logger,
      http,
    });
    const roughyClient = createRoughyClient({
      config: { apiKey: new Secret(sim.apiKeys.roughy), baseUrl: sim.baseUrls.roughy, rps: 1_000 },
      rateLimiter,
      logger,
      http,
    });
    let mediaPocketDone = false;
    const mediaPocket = syncProvider({ pool: database.pool, logger }, createMediaPocketProvider(mpClient)).finally(() => {
      mediaPocketDone = true;
    });
    const roughy = await syncProvider({ pool: database.pool, logger }, createRoughyProvider(roughyClient));
    expect(roughy).toMatchObject({ state: 'complete', inserted: 3_000 });
    expect(mediaPocketDone).toBe(false);
    expect(sim.stats.count('mediapocket', 'list', 429)).toBeGreaterThan(0);
    expect(sim.stats.count('mediapocket', 'list', 200)).toBe(0);

    sim.setFaults('mediapocket', undefined);
    const summary: SyncSummary = await mediaPocket;
    expect(summary).toMatchObject({ state: 'complete', inserted: 1_000 });
    await Promise.all([mpClient.close(), roughyClient.close()]);
    expect((await catalogOf(database.pool, 'mediapocket')).size).toBe(1_000);
  });

  it('`sync` reports each provider and exits 1 when one of them failed, with the other one complete', async () => {
    sim = await startSimulator({ seed: 82, counts: { mediapocket: 200, roughy: 500 } });
    const result = await runCli(['sync'], {
      DATABASE_URL: database.url,
      REDIS_URL: redisUrl(),
      QUEUE_PREFIX: prefix,
      MEDIAPOCKET_API_KEY: 'not-the-key',
      MEDIAPOCKET_BASE_URL: sim.baseUrls.mediapocket,
      ROUGHY_API_KEY: sim.apiKeys.roughy,
      ROUGHY_BASE_URL: sim.baseUrls.roughy,
      ROUGHY_RPS: '200',
    });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/mediapocket\s+│?\s*failed/);
    expect(result.stdout).toMatch(/roughy\s+│?\s*complete/);
    expect(result.stderr).toContain('mediapocket: mediapocket: list assets (first page) failed: HTTP 401: Unauthorized');
    expect(result.stderr).toContain('check MEDIAPOCKET_API_KEY');
    expect(result.stderr).not.toContain('not-the-key');
    expect((await catalogOf(database.pool, 'roughy')).size).toBe(500);
    expect(sim.stats.count('mediapocket', 'list', 401)).toBe(1);
  });
});
