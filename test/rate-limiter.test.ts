import { afterAll, describe, expect, it } from 'vitest';
import { createRedisRateLimiter, LEASE_WINDOW_MS } from '../src/http/rate-limiter.ts';
import { clearPrefix, createRedis, testQueuePrefix } from './support/services.ts';

describe('shared rate limiter', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  afterAll(async () => {
    await clearPrefix(prefix);
    redis.disconnect();
  });

  it('spaces requests of several processes on one budget', async () => {
    // when each request may go, on this process's clock: now + the wait it was given (the first request, given
    // no wait, goes at once and sleeps not at all). Absolute times, so a slow test machine taking its time
    // between requests does not shrink the spacing the budget set.
    const startedAt = performance.now();
    const slots: number[] = [];
    const record = async (ms: number) => {
      slots.push(performance.now() + ms);
    };
    // two limiters = two processes sharing the Redis budget of 10 requests/s
    const a = createRedisRateLimiter({ redis, prefix, rps: { roughy: 10 }, sleep: record });
    const b = createRedisRateLimiter({ redis: createRedis(), prefix, rps: { roughy: 10 }, sleep: record });
    for (let i = 0; i < 5; i += 1) {
      await a.acquire('roughy');
      await b.acquire('roughy');
    }
    expect(slots).toHaveLength(9);
    // each later request is reserved 100 ms after the previous (50 ms leaves room for the machine's pauses)
    const sorted = [...slots].sort((x, y) => x - y);
    expect((sorted[0] ?? 0) - startedAt).toBeGreaterThan(50);
    for (let i = 1; i < sorted.length; i += 1) {
      expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeGreaterThan(50);
      expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeLessThan(150);
    }
    expect((sorted.at(-1) ?? 0) - startedAt).toBeGreaterThan(9 * 100 - 50);
  });

  it('gives requests waiting at once in two processes distinct slots, a budget interval apart', async () => {
    // when each request may go, on this process's clock: now + the wait it was given (a request given no wait
    // goes at once and sleeps not at all)
    const slots: number[] = [];
    const record = async (ms: number) => {
      slots.push(performance.now() + ms);
    };
    const budgetPrefix = `${prefix}:burst`;
    const a = createRedisRateLimiter({ redis, prefix: budgetPrefix, rps: { affogato: 20 }, sleep: record });
    const b = createRedisRateLimiter({ redis: createRedis(), prefix: budgetPrefix, rps: { affogato: 20 }, sleep: record });
    // eight page fetches at once in each process, as a concurrent listing does
    const startedAt = performance.now();
    await Promise.all(Array.from({ length: 16 }, (_, i) => (i % 2 === 0 ? a : b).acquire('affogato')));
    expect(slots).toHaveLength(15);
    // slots are 50 ms apart; two requests given one slot would be ~0 ms apart (25 ms leaves room for clock jitter)
    const sorted = [...slots].sort((x, y) => x - y);
    for (let i = 1; i < sorted.length; i += 1) expect((sorted[i] ?? 0) - (sorted[i - 1] ?? 0)).toBeGreaterThan(25);
    expect((sorted[sorted.length - 1] ?? 0) - startedAt).toBeGreaterThan(15 * 50 - 30);
  });

  it('at a high budget reserves a window of slots in one round trip and spends them an interval apart', async () => {
    const budgetPrefix = `${prefix}:window`;
    const rps = 400;
    const intervalMs = 1000 / rps;
    const slotsPerWindow = LEASE_WINDOW_MS / intervalMs;
    // this process's clock, moved by hand: no time passes between requests unless the test says so
    let clock = 1_000;
    const waits: number[] = [];
    const limiter = createRedisRateLimiter({
      redis,
      prefix: budgetPrefix,
      rps: { affogato: rps },
      now: () => clock,
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    const reservedUntil = async () => Number(await redis.get((await redis.keys(`${budgetPrefix}:ratelimit:affogato:*:next`))[0] ?? ''));
    await limiter.acquire('affogato');
    const afterFirst = await reservedUntil();
    expect(afterFirst).toBeGreaterThan(0);
    // the window's other slots are served from what was reserved, an interval apart: Redis is not asked again
    const first = waits.pop() ?? 0;
    for (let i = 0; i < 4; i += 1) await limiter.acquire('affogato');
    expect(await reservedUntil()).toBe(afterFirst);
    expect(waits).toHaveLength(4);
    waits.forEach((wait, i) => expect(wait).toBeCloseTo(first + (i + 1) * intervalMs, 6));
    // slots that have passed are dropped, not spent late: 13 ms on, the slot at 12.5 ms is gone and the next
    // request gets the one at 15 ms
    clock += 13;
    await limiter.acquire('affogato');
    expect(waits).toHaveLength(5);
    expect(waits.at(-1)).toBeCloseTo(first + 2, 6);
    expect(await reservedUntil()).toBe(afterFirst);
    // once the window is used up, the next request reserves again
    for (let i = 0; i < slotsPerWindow; i += 1) await limiter.acquire('affogato');
    expect(await reservedUntil()).toBeGreaterThan(afterFirst);
  });

  it('keeps no slot of a reservation answered after a pause', async () => {
    const budgetPrefix = `${prefix}:pause-window`;
    const waits: number[] = [];
    const limiter = createRedisRateLimiter({
      redis,
      prefix: budgetPrefix,
      rps: { affogato: 400 },
      sleep: async (ms) => {
        waits.push(ms);
      },
    });
    // a 429 arrives while a request's reservation is on its way: its window must not be spent during the pause
    const onItsWay = limiter.acquire('affogato');
    await limiter.pause('affogato', 5_000);
    await onItsWay;
    waits.length = 0;
    for (let i = 0; i < 3; i += 1) await limiter.acquire('affogato');
    expect(waits).toHaveLength(3);
    for (const wait of waits) expect(wait).toBeGreaterThan(4_000);
  });

  it('holds every process during a pause, and keeps budgets apart per provider', async () => {
    const waits: Array<[string, number]> = [];
    const limiter = createRedisRateLimiter({
      redis,
      prefix,
      rps: { affogato: 1000, mediapocket: 1000 },
      sleep: async (ms) => {
        waits.push(['slept', ms]);
      },
    });
    await limiter.pause('affogato', 2_000);
    await limiter.acquire('affogato');
    await limiter.acquire('mediapocket');
    expect(waits).toHaveLength(1);
    expect(waits[0]?.[1]).toBeGreaterThan(1_900);
  });

  it('keeps the budgets of two accounts of one provider apart', async () => {
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
    };
    const first = createRedisRateLimiter({ redis, prefix, accounts: { roughy: 'account-1' }, rps: { roughy: 1 }, sleep });
    const second = createRedisRateLimiter({ redis, prefix, accounts: { roughy: 'account-2' }, rps: { roughy: 1 }, sleep });
    await first.acquire('roughy');
    await second.acquire('roughy');
    expect(waits).toEqual([]);
    await first.acquire('roughy');
    expect(waits).toHaveLength(1);
  });

  it('refuses a provider without a budget', async () => {
    const limiter = createRedisRateLimiter({ redis, prefix, rps: {} });
    await expect(limiter.acquire('roughy')).rejects.toThrow('no request budget configured for roughy');
  });
});
