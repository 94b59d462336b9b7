import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createRoughyClient } from '../src/providers/roughy/roughy.client.ts';
import { createRoughyProvider } from '../src/providers/roughy/roughy.provider.ts';
import { Secret } from '../src/secret.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

describe('Roughy request budget', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();
  const redis = createRedis();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
    redis.disconnect();
  });

  it('syncs 15,000 assets at ROUGHY_RPS=8 against a provider enforcing 10 requests/s with (nearly) no 429s', async () => {
    sim = await startSimulator({ seed: 61, counts: { roughy: 15_000 }, rpsLimit: { roughy: 10 } });
    const rps = 8;
    const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { roughy: rps } });
    const client = createRoughyClient({
      config: { apiKey: new Secret(sim.apiKeys.roughy), baseUrl: sim.baseUrls.roughy, rps },
      rateLimiter,
      logger: createLogger('silent'),
    });
    const startedAt = Date.now();
    const summary = await syncProvider({ pool: database.pool, logger: createLogger('silent') }, createRoughyProvider(client));
    const seconds = (Date.now() - startedAt) / 1000;
    await client.close();
    const requests = sim.stats.count('roughy');
    console.info('roughy rps', {
      requests,
      served429: sim.stats.served429ByProvider.roughy,
      seconds,
      requestsPerSecond: +(requests / seconds).toFixed(2),
      assetsPerSecond: Math.round(15_000 / seconds),
    });
    expect(summary).toMatchObject({ state: 'complete', seen: 15_000, inserted: 15_000 });
    expect(sim.stats.served429ByProvider.roughy).toBeLessThanOrEqual(1);
    // 152 pages of 99 new items + one head read + one count check
    expect(requests - sim.stats.served429ByProvider.roughy).toBe(154);
    // the budget, not the provider, paced the run: never faster than 8 requests/s
    expect(requests / seconds).toBeLessThanOrEqual(rps + 0.1);
    const stored = await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM catalog_assets WHERE provider = 'roughy' AND removed_at IS NULL");
    expect(stored.rows[0]?.n).toBe(15_000);
  });
});
