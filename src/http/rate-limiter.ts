/**
 * A request budget per provider account shared by every process on the same Redis, whatever its queue prefix:
 * the budget belongs to the account at the provider, so it is keyed by the account, not by the deployment.
 *
 * Each request reserves the next free slot (slots are 1000/rps ms apart) atomically in Redis and sleeps until
 * it; a 429's Retry-After moves the earliest slot past the pause for everyone.
 */
import type { Redis } from 'ioredis';
import type { ProviderName } from '../providers/provider-names.ts';

const RESERVE_SLOT = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local nextSlot = tonumber(redis.call('GET', KEYS[1]) or '0')
local pausedUntil = tonumber(redis.call('GET', KEYS[2]) or '0')
local start = math.max(now, nextSlot, pausedUntil)
local following = start + tonumber(ARGV[1])
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
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function createRedisRateLimiter(options: RedisRateLimiterOptions): RateLimiter {
  const sleep = options.sleep ?? defaultSleep;
  const key = (provider: ProviderName, part: string) =>
    `${options.prefix}:ratelimit:${provider}:${options.accounts?.[provider] ?? 'default'}:${part}`;
  return {
    async acquire(provider) {
      const rps = options.rps[provider];
      if (rps === undefined) throw new Error(`no request budget configured for ${provider}`);
      const intervalMs = 1000 / rps;
      const waitMs = Number(
        await options.redis.eval(RESERVE_SLOT, 2, key(provider, 'next'), key(provider, 'paused'), String(intervalMs)),
      );
      if (waitMs > 0) await sleep(waitMs);
    },
    async pause(provider, ms) {
      if (ms <= 0) return;
      await options.redis.eval(PAUSE, 1, key(provider, 'paused'), String(Math.ceil(ms)));
    },
  };
}
