/**
 * One provider's sync in a process of its own, so its peak RSS is its own. Prints one JSON line.
 * Used by bench/run.ts; arguments: --provider P --database URL --redis URL --prefix P --sim JSON [--replay]
 * With --replay the listing is read into memory first (not timed) and the timed sync replays it: the write
 * path alone. Its RSS then includes the whole listing and says nothing.
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig } from '../src/config.ts';
import { createPool } from '../src/db/client.ts';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createProviders } from '../src/providers/provider-factory.ts';
import { isSimProvider } from '../src/simulator/simulator.types.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { tupleUpdates } from './bench-db.ts';
import { coreCount, machineBusySeconds } from './machine-cpu.ts';
import { replayedListing } from './replayed-listing.ts';
import { sampleRss } from './rss-sampler.ts';
import type { SimProcess } from './sim-process.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';

const { values } = parseArgs({
  options: {
    provider: { type: 'string' },
    database: { type: 'string' },
    redis: { type: 'string' },
    prefix: { type: 'string' },
    sim: { type: 'string' },
    replay: { type: 'boolean' },
  },
});
const provider = values.provider ?? '';
if (!isSimProvider(provider)) throw new Error(`--provider must name a provider, got "${provider}"`);
const sim = JSON.parse(values.sim ?? '{}') as Omit<SimProcess, 'stop'>;
const redis = new Redis(values.redis ?? 'redis://127.0.0.1:6379', { maxRetriesPerRequest: null });
const prefix = values.prefix ?? `alw-bench-${process.pid}`;
const envPrefix = builtinProviderRegistry.require(provider).env.prefix;
const config = loadConfig({
  DATABASE_URL: values.database,
  REDIS_URL: values.redis,
  QUEUE_PREFIX: prefix,
  [`${envPrefix}_API_KEY`]: sim.apiKeys[provider],
  [`${envPrefix}_BASE_URL`]: sim.baseUrls[provider],
  [`${envPrefix}_RPS`]: '10000',
}, builtinProviderRegistry);
const logger = createLogger('warn');
const pool = createPool(config.databaseUrl, 8);
const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { [provider]: 10_000 } });
const handle = createProviders(config, { rateLimiter, logger }).get(provider);
if (handle === undefined) throw new Error(`${provider} is not enabled`);
const syncedProvider = values.replay === true ? await replayedListing(handle.provider) : handle.provider;

const baselineRssMb = process.memoryUsage.rss() / (1024 * 1024);
const rss = sampleRss();
const cpuBefore = process.cpuUsage();
const machineBefore = machineBusySeconds();
const started = performance.now();
const first = await syncProvider({ pool, logger }, syncedProvider);
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
const machineAfter = machineBusySeconds();
const peakRssMb = rss.stop();
const updatesBefore = await tupleUpdates(pool, 'assets');
const again = await syncProvider({ pool, logger }, syncedProvider);
const updatesAfter = await tupleUpdates(pool, 'assets');
process.stdout.write(
  `${JSON.stringify({
    provider,
    seen: first.seen,
    pages: first.pages,
    seconds,
    cpuSeconds: (cpu.user + cpu.system) / 1e6,
    machineBusySeconds: machineBefore === undefined || machineAfter === undefined ? null : machineAfter - machineBefore,
    cores: coreCount(),
    peakRssMb,
    baselineRssMb,
    resync: { inserted: again.inserted, updated: again.updated, tupleUpdates: updatesAfter - updatesBefore },
  })}\n`,
);
await handle.close();
await pool.end();
redis.disconnect();
