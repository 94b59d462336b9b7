/**
 * CONTRACT.md: a provider's request budget is shared by every worker process on the same Redis. Two contexts
 * with different queue prefixes that call the same account share it; another account has its own.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { createAppContext, type AppContext } from '../src/app/context.ts';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/logger.ts';
import { redisUrl, testQueuePrefix } from './support/services.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';

const contexts: AppContext[] = [];

function contextFor(queuePrefix: string, baseUrl: string, apiKey: string): AppContext {
  const config = loadConfig({ REDIS_URL: redisUrl(), QUEUE_PREFIX: queuePrefix, ROUGHY_API_KEY: apiKey, ROUGHY_BASE_URL: baseUrl, ROUGHY_RPS: '1' }, builtinProviderRegistry);
  const context = createAppContext(config, createLogger('silent'));
  contexts.push(context);
  return context;
}

/** How long acquire() waited, in ms: a slot of a budget of 1 request/s is 1000 ms after the previous one. */
async function timedAcquire(context: AppContext): Promise<number> {
  const started = performance.now();
  await context.rateLimiter.acquire('roughy');
  return performance.now() - started;
}

describe('request budget across processes', () => {
  afterAll(async () => {
    for (const context of contexts) await context.close();
  });

  it('is shared by processes with different queue prefixes calling the same account, and not by another account', async () => {
    const baseUrl = `http://127.0.0.1:1/${randomUUID()}`;
    const one = contextFor(testQueuePrefix(), baseUrl, 'key-a');
    const two = contextFor(testQueuePrefix(), baseUrl, 'key-a');
    const otherAccount = contextFor(testQueuePrefix(), baseUrl, 'key-b');
    expect(await timedAcquire(one)).toBeLessThan(800);
    // the same account from another deployment waits for the next slot of the shared budget
    expect(await timedAcquire(two)).toBeGreaterThan(800);
    // another key at the same URL is another account: its budget is untouched
    expect(await timedAcquire(otherAccount)).toBeLessThan(800);
  });
});
