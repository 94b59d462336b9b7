import type { Redis } from 'ioredis';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { ProviderError } from '../../src/errors.ts';
import { createRedisRateLimiter } from '../../src/http/rate-limiter.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createRoughyClient } from '../../src/providers/roughy/roughy.client.ts';
import { createRoughyProvider } from '../../src/providers/roughy/roughy.provider.ts';
import { Secret } from '../../src/secret.ts';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import { clearPrefix, createRedis, testQueuePrefix } from '../support/services.ts';

const prefix = testQueuePrefix();
const redis = createRedis();
let sim: Simulator;

afterEach(async () => {
  await sim.close();
});
afterAll(async () => {
  await clearPrefix(prefix);
  redis.disconnect();
});

function roughyAgainst(options: { redis: Redis; apiKey?: string; logger?: Logger; retries?: number }) {
  const rateLimiter = createRedisRateLimiter({ redis: options.redis, prefix, rps: { roughy: 1_000 } });
  const client = createRoughyClient({
    config: { apiKey: new Secret(options.apiKey ?? sim.apiKeys.roughy), baseUrl: sim.baseUrls.roughy, rps: 1_000 },
    rateLimiter,
    logger: options.logger ?? createLogger('silent'),
    http: { backoff: { baseMs: 1, capMs: 5 }, retries: options.retries ?? 3 },
  });
  return { provider: createRoughyProvider(client), close: () => client.close() };
}

function logCollector(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = createLogger('debug', { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
  return { logger, lines };
}

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('Roughy adapter over HTTP', () => {
  it('carries the X-Request-Id of a failure into its error and into every logged attempt', async () => {
    sim = await startSimulator({ seed: 31, counts: { roughy: 5 }, faults: { roughy: { rate500: 1 } } });
    const { logger, lines } = logCollector();
    const harness = roughyAgainst({ redis, logger, retries: 2 });
    const [id] = sim.roughy.ids();
    const error = await failure(harness.provider.lookup(id as string));
    await harness.close();
    expect(error).toMatchObject({ kind: 'retryable', status: 500, code: 'internal_error', provider: 'roughy' });
    expect(error.requestId).toMatch(/^req_[0-9a-f]{32}$/);
    expect(error.message).toContain(`(request id ${error.requestId})`);
    expect(sim.stats.count('roughy', 'get', 500)).toBe(3);
    const attempts = lines.filter((line) => line.operation === `get asset ${id}`);
    expect(attempts).toHaveLength(3);
    for (const line of attempts) {
      expect(line.requestId).toMatch(/^req_[0-9a-f]{32}$/);
      expect(line.msg).toContain(`(request id ${line.requestId as string})`);
    }
    expect(new Set(attempts.map((line) => line.requestId)).size).toBe(3);
  });

  it('classifies by the error code: a bad key is auth at once, an invalid id is permanent, neither is retried', async () => {
    sim = await startSimulator({ seed: 32, counts: { roughy: 5 } });
    const wrongKey = roughyAgainst({ redis, apiKey: 'sk_wrong' });
    const auth = await failure(wrongKey.provider.lookup(sim.roughy.ids()[0] as string));
    await wrongKey.close();
    expect(auth).toMatchObject({ kind: 'auth', status: 401, code: 'unauthenticated' });
    expect(auth.message).toMatch(/unauthenticated: Missing or invalid API key\. \(request id req_[0-9a-f]{32}\)$/);
    expect(sim.stats.count('roughy', 'get', 401)).toBe(1);

    const harness = roughyAgainst({ redis });
    const invalid = await failure(harness.provider.lookup('not-a-uuid'));
    expect(invalid).toMatchObject({ kind: 'permanent', status: 422, code: 'validation_error' });
    expect(sim.stats.count('roughy', 'get', 422)).toBe(1);
    await harness.close();
  });

  it('looks an asset up without keeping its signed URLs, and reports a 404 as gone', async () => {
    sim = await startSimulator({ seed: 33, counts: { roughy: 40 } });
    const harness = roughyAgainst({ redis });
    const ready = sim.roughy.all().find((asset) => asset.state === 'ready');
    const pending = sim.roughy.all().find((asset) => asset.state === 'pending_upload');
    if (ready === undefined || pending === undefined) throw new Error('the seed lacks a ready or a pending asset');
    const found = await harness.provider.lookup(ready.id);
    expect(found.state).toBe('present');
    if (found.state !== 'present' || !found.item.ok) throw new Error('expected a present, well-formed asset');
    const { upload_url: _upload, ...durable } = ready;
    expect(found.item.record.raw).toEqual(durable);
    expect(found.item.record).toMatchObject({ assetId: ready.id, status: 'ready', durationSeconds: ready.duration_seconds, url: null });
    const pendingFound = await harness.provider.lookup(pending.id);
    expect(JSON.stringify(pendingFound)).not.toContain('upload.roughy.invalid');

    sim.roughy.remove(ready.id);
    expect(await harness.provider.lookup(ready.id)).toEqual({ state: 'gone' });
    await harness.close();
  });

  it('deletes one asset per call (204), reports an asset already gone, and supports nothing else', async () => {
    sim = await startSimulator({ seed: 34, counts: { roughy: 10 } });
    const harness = roughyAgainst({ redis });
    const { provider } = harness;
    expect(provider.supportedActions).toEqual(['delete']);
    expect(provider.batchSize('delete')).toBe(1);
    expect(provider.listingConcurrency).toBe(1);
    const [id] = sim.roughy.ids();
    expect(await provider.perform('delete', [id as string])).toEqual({ done: [id], gone: [], notDone: [] });
    expect(sim.roughy.get(id as string)).toBeUndefined();
    expect(await provider.perform('delete', [id as string])).toEqual({ done: [], gone: [id], notDone: [] });
    expect(sim.stats.destructiveCalls.map((call) => [call.operation, call.status])).toEqual([
      ['delete', 204],
      ['delete', 404],
    ]);
    await expect(provider.perform('archive', [id as string])).rejects.toThrow('roughy does not support "archive"');
    await harness.close();
  });
});
