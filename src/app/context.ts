/**
 * The composition root shared by every command: one pool, one Redis connection, one rate limiter, the enabled
 * providers. Nothing here runs at import time; `close()` releases everything in reverse order.
 */
import { createHash } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type pg from 'pg';
import type { Config } from '../config.ts';
import { closePool, createDb, createPool, type Db } from '../db/client.ts';
import { InvalidRequestError } from '../errors.ts';
import { createDependencyHealth, type DependencyHealth } from '../health/dependency-health.ts';
import { postgresProbe, redisProbe } from '../health/dependency-probes.ts';
import { createRedisRateLimiter, type RateLimiter } from '../http/rate-limiter.ts';
import type { Logger } from '../logger.ts';
import type { Secret } from '../secret.ts';
import { createProviders, type ProviderHandle } from '../providers/provider-factory.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import { createNotificationOutbox } from '../jobs/notify-jobs.ts';
import { builtinProviderRegistry, type ProviderRegistry } from '../providers/registry.ts';

export interface AppContext {
  readonly config: Config;
  readonly logger: Logger;
  readonly pool: pg.Pool;
  readonly db: Db;
  /** for BullMQ and the rate limiter; BullMQ needs maxRetriesPerRequest: null */
  readonly redis: Redis;
  readonly rateLimiter: RateLimiter;
  /** every provider this build knows (enabled or not): its names and facts */
  readonly registry: ProviderRegistry;
  /** the enabled ones (their key is set), in registry order */
  readonly providers: ReadonlyMap<ProviderName, ProviderHandle>;
  /** Postgres and Redis as up/down states: connection errors are collapsed into them, each change logged once */
  readonly health: DependencyHealth;
  /** where the services record notification events; undefined when NOTIFY_WEBHOOK_URL is not set (none recorded) */
  readonly notifications: NotificationOutbox | undefined;
  /** the queue that outbox adds delivery jobs to (undefined with it); the context closes it, after the outbox's last adds */
  readonly notifyQueue: Queue | undefined;
  /** the named providers, or every enabled one; a named provider that is not enabled is a usage error */
  selectProviders(names?: readonly string[]): ProviderHandle[];
  close(): Promise<void>;
}

export function createRedisConnection(config: Config): Redis {
  return new Redis(config.redisUrl, { maxRetriesPerRequest: null, lazyConnect: false });
}

const BUDGET_KEY_PREFIX = 'asset-worker';

/** Which account a budget belongs to: the same key at the same base URL; one-way, so no credential reaches Redis. */
function accountDigest(baseUrl: string, apiKey: Secret): string {
  return createHash('sha256').update(`${baseUrl}\n${apiKey.reveal()}`).digest('hex').slice(0, 16);
}

export function createAppContext(config: Config, logger: Logger, registry: ProviderRegistry = builtinProviderRegistry): AppContext {
  const redis = createRedisConnection(config);
  const health = createDependencyHealth({
    logger,
    probes: { postgres: postgresProbe(config.databaseUrl), redis: redisProbe(redis) },
    heartbeatMs: 15_000,
  });
  // a server restart must not crash the process, nor log a line per connection and reconnect attempt
  const pool = createPool(config.databaseUrl, 12, (error) =>
    health.reportFailure('postgres', error, { message: 'database connection failed' }),
  );
  redis.on('error', (error) => health.reportFailure('redis', error, { message: 'redis connection error' }));
  redis.on('ready', () => health.recheck('redis'));
  const rps: Partial<Record<ProviderName, number>> = {};
  const accounts: Partial<Record<ProviderName, string>> = {};
  for (const [name, providerConfig] of Object.entries(config.providers)) {
    if (providerConfig === undefined) continue;
    rps[name] = providerConfig.rps;
    accounts[name] = accountDigest(providerConfig.baseUrl, providerConfig.apiKey);
  }
  // not the queue prefix: every process on this Redis that calls the same account shares its budget
  const rateLimiter = createRedisRateLimiter({ redis, prefix: BUDGET_KEY_PREFIX, accounts, rps });
  const providers = createProviders(config, { rateLimiter, logger }, registry);
  // every command that changes state may record an event: its delivery job goes on the notify queue at once
  const notifyQueue = config.notifyWebhook === undefined ? undefined : new Queue('notify', { connection: redis, prefix: config.queuePrefix });
  notifyQueue?.on('error', (error) => health.reportFailure('redis', error, { message: 'queue error', fields: { queue: 'notify' } }));
  const notifications = notifyQueue === undefined ? undefined : createNotificationOutbox(notifyQueue, logger);
  return {
    config,
    logger,
    pool,
    db: createDb(pool),
    redis,
    rateLimiter,
    registry,
    providers,
    health,
    notifications,
    notifyQueue,
    selectProviders(names) {
      if (names === undefined || names.length === 0) return [...providers.values()];
      return names.map((name) => {
        const definition = registry.require(name);
        const handle = providers.get(definition.name);
        if (handle === undefined) {
          throw new InvalidRequestError(`provider "${name}" is not enabled: set ${definition.env.prefix}_API_KEY`);
        }
        return handle;
      });
    },
    async close() {
      // connections closed on purpose are not an outage
      health.close();
      await Promise.all([...providers.values()].map((handle) => handle.close()));
      // a command that just recorded an event has its delivery job added before the connection goes
      await notifications?.flush();
      await notifyQueue?.close();
      redis.disconnect();
      await closePool(pool);
    },
  };
}
