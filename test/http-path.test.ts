/**
 * The one HTTP path, exercised through the Affogato client against the simulator's faults.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../src/errors.ts';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createAffogatoClient, type AffogatoClient } from '../src/providers/affogato/affogato.client.ts';
import { Secret } from '../src/secret.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { clearPrefix, createRedis, testQueuePrefix } from './support/services.ts';

describe('provider HTTP path', () => {
  let sim: Simulator;
  const prefix = testQueuePrefix();
  const redis = createRedis();
  const clients: AffogatoClient[] = [];

  const client = (options: { key?: string; retries?: number; timeoutMs?: number; logLines?: string[] } = {}) => {
    const lines = options.logLines;
    const logger = lines === undefined ? createLogger('silent') : createLogger('debug', { write: (line: string) => lines.push(line) });
    const created = createAffogatoClient({
      config: { apiKey: new Secret(options.key ?? sim.apiKeys.affogato), baseUrl: sim.baseUrls.affogato, rps: 500 },
      rateLimiter: createRedisRateLimiter({ redis, prefix, rps: { affogato: 500 } }),
      logger,
      http: { retries: options.retries ?? 4, backoff: { baseMs: 5, capMs: 20 }, ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }) },
    });
    clients.push(created);
    return created;
  };

  beforeAll(async () => {
    sim = await startSimulator({ seed: 3, counts: { affogato: 60 } });
  });
  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await sim.close();
    await clearPrefix(prefix);
    redis.disconnect();
  });
  beforeEach(() => {
    sim.setFaults('affogato', undefined);
    sim.stats.reset();
  });

  it('retries 5xx and HTML gateway pages, then succeeds', async () => {
    sim.setFaults('affogato', { rate502Html: 0.5, rate500: 0.3 });
    const page = await client({ retries: 30 }).listAssets(1, 50);
    expect(page.items).toHaveLength(50);
    expect(sim.stats.count('affogato', 'list', 200)).toBe(1);
    expect(sim.stats.count('affogato', 'list')).toBeGreaterThan(1);
  });

  it('never retries a 4xx other than 429', async () => {
    const error = await client().listAssets(1, 500).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ProviderError);
    expect((error as ProviderError).kind).toBe('permanent');
    expect(sim.stats.count('affogato', 'list')).toBe(1);
  });

  it('classifies a wrong key as auth, without retrying and without the key in the message', async () => {
    const lines: string[] = [];
    const error = await client({ key: 'sk-wrong-secret-123', logLines: lines }).listAssets(1, 10).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe('auth');
    expect((error as ProviderError).status).toBe(401);
    expect(sim.stats.count('affogato', 'list')).toBe(1);
    expect(String((error as Error).message)).not.toContain('sk-wrong-secret-123');
    expect(lines.join('')).not.toContain('sk-wrong-secret-123');
    expect(lines.join('')).toContain('"kind":"auth"');
  });

  it('does not spend retries on 429s, and honours Retry-After given as a date', async () => {
    sim.setFaults('affogato', { rate429: 1, retryAfterAsDate: true, retryAfterSeconds: 1 });
    const listing = client({ retries: 0 }).listAssets(1, 10);
    await new Promise((resolve) => setTimeout(resolve, 200));
    sim.setFaults('affogato', undefined);
    const page = await listing;
    expect(page.items).toHaveLength(10);
    expect(sim.stats.count('affogato', 'list', 429)).toBeGreaterThan(0);
  });

  it('pauses the provider for every process on the Redis after a 429', async () => {
    sim.setFaults('affogato', { rate429: 1, retryAfterSeconds: 2 });
    const first = client({ retries: 0 });
    // the first client meets a 429 and pauses the provider; it keeps waiting (429s never use up its retries)
    const stuck = first.listAssets(1, 5);
    await new Promise((resolve) => setTimeout(resolve, 300));
    sim.setFaults('affogato', undefined);
    const listedBefore = sim.stats.count('affogato', 'list', 200);
    // a second "process" on the same budget is held by the pause too: nothing reaches the provider yet
    const second = client({ retries: 0 }).listAssets(1, 5);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(sim.stats.count('affogato', 'list', 200)).toBe(listedBefore);
    await Promise.all([stuck, second]);
    expect(sim.stats.count('affogato', 'list', 200)).toBe(listedBefore + 2);
  });

  it('retries malformed JSON and a provider error in a 200 body, and names them when they persist', async () => {
    sim.setFaults('affogato', { rateMalformedJson: 1 });
    const malformed = await client({ retries: 2 }).listAssets(1, 10).catch((e: unknown) => e);
    expect((malformed as Error).message).toMatch(/affogato: list assets page 1 failed: HTTP 200 with a malformed body/);
    expect(sim.stats.count('affogato', 'list')).toBe(3);

    sim.setFaults('affogato', { rateErrorIn200: 1 });
    const inBody = await client({ retries: 1 }).getAsset(sim.affogato.ids()[0] as string).catch((e: unknown) => e);
    expect((inBody as Error).message).toMatch(/affogato: get asset \S+ failed: HTTP 200: error in a 200 body/);
  });

  it('times out a slow answer and retries it', async () => {
    sim.setFaults('affogato', { rateSlow: 1, slowMs: 400 });
    const error = await client({ retries: 1, timeoutMs: 100 }).listAssets(1, 10).catch((e: unknown) => e);
    expect((error as ProviderError).kind).toBe('retryable');
    expect((error as Error).message).toContain('affogato: list assets page 1 failed');
    sim.setFaults('affogato', { rateSlow: 0.5, slowMs: 400 });
    const page = await client({ retries: 20, timeoutMs: 100 }).listAssets(1, 10);
    expect(page.items).toHaveLength(10);
  });
});

describe('provider HTTP path, calls that must not be sent twice', () => {
  it('does not resend a non-idempotent call after a 5xx, but does after a 429', async () => {
    const sim = await startSimulator({ seed: 4, counts: { mediapocket: 3 } });
    const prefix = testQueuePrefix();
    const redis = createRedis();
    const { createMediaPocketClient } = await import('../src/providers/mediapocket/mediapocket.client.ts');
    const client = createMediaPocketClient({
      config: { apiKey: new Secret(sim.apiKeys.mediapocket), baseUrl: sim.baseUrls.mediapocket, rps: 100 },
      rateLimiter: createRedisRateLimiter({ redis, prefix, rps: { mediapocket: 100 } }),
      logger: createLogger('silent'),
      http: { retries: 5, backoff: { baseMs: 5, capMs: 10 } },
    });
    try {
      const assetId = sim.mediapocket.ids()[0] as string;
      sim.setFaults('mediapocket', { rate500: 1 });
      await expect(client.startDagAction(assetId, '1')).rejects.toMatchObject({ kind: 'retryable', status: 500 });
      expect(sim.stats.count('mediapocket', 'dag.start')).toBe(1);

      sim.setFaults('mediapocket', { rate429: 1, retryAfterSeconds: 0 });
      const started = client.startDagAction(assetId, '1');
      await new Promise((resolve) => setTimeout(resolve, 100));
      sim.setFaults('mediapocket', undefined);
      await expect(started).resolves.toBeDefined();
      expect(sim.stats.count('mediapocket', 'dag.start', 200)).toBe(1);
      expect(sim.stats.count('mediapocket', 'dag.start', 429)).toBeGreaterThan(0);
    } finally {
      await client.close();
      await sim.close();
      await clearPrefix(prefix);
      redis.disconnect();
    }
  });
});
