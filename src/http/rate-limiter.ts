/**
 * One request budget per provider account, in Redis, so every process calling the account shares it; slots are
 * reserved for all waiters at once and at least LEASE_WINDOW_MS at a time, so a fast budget costs no round trip
 * per request (how slots are kept, dropped and paused: README, "Benchmarks", the shared request budget).
 */
import type { Redis } from 'ioredis';
import { takeKeptSlot, type KeptSlots } from '../domain/kept-slots.ts';
import type { ProviderName } from '../domain/provider-facts.ts';

const RESERVE_SLOTS = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(now, nextSlot, pausedUntil)
local following = start + tonumber(ARGV[1]) * tonumber(ARGV[2])
redis.call('SET', KEYS[1], tostring(following), 'PX', math.ceil(following - now) + 1000)
return math.ceil(start - now)
`;

const PAUSE = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local untilMs = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untilMs > current then
  redis.call('SET', KEYS[1], tostring(untilMs), 'PX', tonumber(ARGV[1]) + 1000)
end
return 0
`;

export interface RateLimiter {
  /** Resolves when this process may send one request to the provider. */
  acquire(provider: ProviderName): Promise<void>;
  /** Holds every process's requests to the provider for `ms`. */
  pause(provider: ProviderName, ms: number): Promise<void>;
}

export interface RedisRateLimiterOptions {
  redis: Redis;
  /** namespace of the budget keys */
  prefix: string;
  /** per provider, an identity of the account whose budget this is (a digest, never the credential) */
  accounts?: Partial<Record<ProviderName, string>>;
  rps: Partial<Record<ProviderName, number>>;
  sleep?: (ms: number) => Promise<void>;
  /** a monotonic clock in ms, for the slots kept between reservations */
  now?: () => number;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** the least time one reservation covers (see above) */
export const LEASE_WINDOW_MS = 25;

/**
 * A wait shorter than this is not slept: a timer cannot wait less than a millisecond, so it would hold the
 * request a whole one. The request goes under a millisecond early, still in its own slot.
 */
const MIN_SLEEP_MS = 1;

interface BudgetCommands {
  /** reserves `count` consecutive slots; answers how long until the first, in ms */
  reserveBudgetSlots(nextKey: string, pausedKey: string, intervalMs: string, count: string): Promise<number>;
  pauseBudget(pausedKey: string, ms: string): Promise<number>;
}

/**
 * The scripts as ioredis commands: sent by SHA (EVALSHA, with a fallback when Redis has not seen them), so each
 * request's reservation is a small command rather than the script's whole text.
 */
function withBudgetCommands(redis: Redis): Redis & BudgetCommands {
  if (!('reserveBudgetSlots' in redis)) {
    redis.defineCommand('reserveBudgetSlots', { numberOfKeys: 2, lua: RESERVE_SLOTS });
    redis.defineCommand('pauseBudget', { numberOfKeys: 1, lua: PAUSE });
  }
  return redis as Redis & BudgetCommands;
}

interface Waiter {
  resolve(waitMs: number): void;
  reject(error: unknown): void;
}

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? (() => performance.now());
  const redis = withBudgetCommands(options.redis);
  const key = (provider: ProviderName, part: string) =>
    `${options.prefix}:ratelimit:${provider}:${options.accounts?.[provider] ?? 'default'}:${part}`;
  const waiting = new Map<ProviderName, Waiter[]>();
  const reserving = new Set<ProviderName>();
  const kept = new Map<ProviderName, KeptSlots>();
  /** pauses set by this process, per provider: a reservation answered after one keeps no slots */
  const pausesSet = new Map<ProviderName, number>();

  /** how long until the provider's next kept slot, or undefined when this process has none left */
  function takeKept(provider: ProviderName): number | undefined {
    const slots = kept.get(provider);
    return slots === undefined ? undefined : takeKeptSlot(slots, now());
  }

  /** Serves the provider's waiters, each batch with one reservation, until none is left. Never rejects. */
  async function reserveForWaiters(provider: ProviderName, intervalMs: number): Promise<void> {
    reserving.add(provider);
    try {
      for (let batch = waiting.get(provider)?.splice(0) ?? []; batch.length > 0; batch = waiting.get(provider)?.splice(0) ?? []) {
        // waiters that queued while the previous reservation was on its way first take the slots it kept
        const unserved: Waiter[] = [];
        for (const waiter of batch) {
          const waitMs = unserved.length === 0 ? takeKept(provider) : undefined;
          if (waitMs === undefined) unserved.push(waiter);
          else waiter.resolve(waitMs);
        }
        if (unserved.length === 0) continue;
        try {
          const count = Math.max(unserved.length, Math.floor(LEASE_WINDOW_MS / intervalMs));
          const pausesBefore = pausesSet.get(provider) ?? 0;
          const firstWaitMs = Number(
            await redis.reserveBudgetSlots(key(provider, 'next'), key(provider, 'paused'), String(intervalMs), String(count)),
          );
          // measured after the answer arrived, so kept slots are if anything a little later than Redis has them
          const firstAt = now() + firstWaitMs;
          unserved.forEach((waiter, i) => waiter.resolve(firstWaitMs + i * intervalMs));
          if (count > unserved.length && (pausesSet.get(provider) ?? 0) === pausesBefore) {
            kept.set(provider, { firstAt: firstAt + unserved.length * intervalMs, count: count - unserved.length, intervalMs });
          }
        } catch (error) {
          for (const waiter of unserved) waiter.reject(error);
        }
      }
    } finally {
      reserving.delete(provider);
    }
  }

  return {
    async acquire(provider) {
      const rps = options.rps[provider];
      if (rps === undefined) throw new Error(`no request budget configured for ${provider}`);
      const intervalMs = 1000 / rps;
      const keptWaitMs = takeKept(provider);
      if (keptWaitMs !== undefined) {
        if (keptWaitMs >= MIN_SLEEP_MS) await sleep(keptWaitMs);
        return;
      }
      const waitMs = await new Promise<number>((resolve, reject) => {
        const queue = waiting.get(provider) ?? [];
        waiting.set(provider, queue);
        queue.push({ resolve, reject });
        if (!reserving.has(provider)) void reserveForWaiters(provider, intervalMs);
      });
      if (waitMs >= MIN_SLEEP_MS) await sleep(waitMs);
    },
    async pause(provider, ms) {
      if (ms <= 0) return;
      // slots kept from before the pause, or by a reservation answered after it, would go out during it
      kept.delete(provider);
      pausesSet.set(provider, (pausesSet.get(provider) ?? 0) + 1);
      await redis.pauseBudget(key(provider, 'paused'), String(Math.ceil(ms)));
    },
  };
}
