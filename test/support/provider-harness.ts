/**
 * Builds real provider adapters pointed at the simulator, with the real HTTP path and the real Redis budget,
 * the way src/app/context.ts does for a deployment.
 */
import type { Redis } from 'ioredis';
import { Secret } from '../../src/secret.ts';
import { createRedisRateLimiter } from '../../src/http/rate-limiter.ts';
import { createLogger, type Logger } from '../../src/logger.ts';
import { createAffogatoClient } from '../../src/providers/affogato/affogato.client.ts';
import { createAffogatoProvider } from '../../src/providers/affogato/affogato.provider.ts';
import type { AssetProvider } from '../../src/providers/provider.ts';
import type { Simulator } from '../../src/simulator/simulator.ts';

export interface HarnessOptions {
  redis: Redis;
  prefix: string;
  rps?: number;
  logger?: Logger;
  /** fast retries keep fault-injection tests short */
  backoff?: { baseMs: number; capMs: number };
  retries?: number;
}

export function affogatoAgainst(sim: Simulator, options: HarnessOptions): { provider: AssetProvider; close(): Promise<void> } {
  const rateLimiter = createRedisRateLimiter({ redis: options.redis, prefix: options.prefix, rps: { affogato: options.rps ?? 1_000 } });
  const client = createAffogatoClient({
    config: { apiKey: new Secret(sim.apiKeys.affogato), baseUrl: sim.baseUrls.affogato, rps: options.rps ?? 1_000 },
    rateLimiter,
    logger: options.logger ?? createLogger('silent'),
    http: { backoff: options.backoff ?? { baseMs: 5, capMs: 50 }, retries: options.retries ?? 8 },
  });
  return { provider: createAffogatoProvider(client), close: () => client.close() };
}
