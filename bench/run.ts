/**
 * `npm run bench`: syncs simulator catalogs with no latency and prints figures. It never passes or fails on
 * time; it reports. Options: --affogato N (default 100000) --mediapocket N --roughy N (default 20000 each).
 */
import { parseArgs } from 'node:util';
import { Redis } from 'ioredis';
import { loadConfig, readEnvironment } from '../src/config.ts';
import { createRedisRateLimiter } from '../src/http/rate-limiter.ts';
import { createLogger } from '../src/logger.ts';
import { createProviders } from '../src/providers/provider-factory.ts';
import type { ProviderName } from '../src/providers/provider-names.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { createBenchDb, tupleUpdates } from './bench-db.ts';
import { timeRawCopy } from './copy-baseline.ts';
import { sampleRss } from './rss-sampler.ts';
import { startSimProcess } from './sim-process.ts';

const { values } = parseArgs({
  options: { affogato: { type: 'string' }, mediapocket: { type: 'string' }, roughy: { type: 'string' } },
});
const counts: Record<ProviderName, number> = {
  affogato: Number(values.affogato ?? 100_000),
  mediapocket: Number(values.mediapocket ?? 20_000),
  roughy: Number(values.roughy ?? 20_000),
};

const environment = readEnvironment(process.env, process.cwd());
const serverUrl = environment.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const redisUrl = environment.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379';
const logger = createLogger('warn');

const sim = await startSimProcess(['--affogato', String(counts.affogato), '--mediapocket', String(counts.mediapocket), '--roughy', String(counts.roughy)]);
const db = await createBenchDb(serverUrl);
const redis = new Redis(redisUrl, { maxRetriesPerRequest: null });
const prefix = `alw-bench-${process.pid}`;
const config = loadConfig({
  DATABASE_URL: db.url,
  REDIS_URL: redisUrl,
  QUEUE_PREFIX: prefix,
  AFFOGATO_API_KEY: sim.apiKeys.affogato,
  AFFOGATO_BASE_URL: sim.baseUrls.affogato,
  MEDIAPOCKET_API_KEY: sim.apiKeys.mediapocket,
  MEDIAPOCKET_BASE_URL: sim.baseUrls.mediapocket,
  ROUGHY_API_KEY: sim.apiKeys.roughy,
  ROUGHY_BASE_URL: sim.baseUrls.roughy,
  // no latency and no budget to speak of: the bench measures the worker, not the provider
  AFFOGATO_RPS: '10000',
  MEDIAPOCKET_RPS: '10000',
  ROUGHY_RPS: '10000',
});
const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { affogato: 10_000, mediapocket: 10_000, roughy: 10_000 } });

const lines: string[] = [];
const report = (line: string) => {
  lines.push(line);
  process.stdout.write(`${line}\n`);
};

try {
  let handles;
  try {
    handles = createProviders(config, { rateLimiter, logger });
  } catch (error) {
    // providers still under construction are reported, the others measured
    report(`providers: ${(error as Error).message}; measuring Affogato only`);
    handles = createProviders({ ...config, providers: { affogato: config.providers.affogato } }, { rateLimiter, logger });
  }
  for (const [name, handle] of handles) {
    if (counts[name] === 0) continue;
    const rss = sampleRss();
    const started = performance.now();
    const summary = await syncProvider({ pool: db.pool, logger }, handle.provider);
    const seconds = (performance.now() - started) / 1000;
    const peakMb = rss.stop();
    const updatesBefore = await tupleUpdates(db.pool, 'assets');
    const again = await syncProvider({ pool: db.pool, logger }, handle.provider);
    const updatesAfter = await tupleUpdates(db.pool, 'assets');
    report(
      `${name}: ${summary.seen} assets in ${seconds.toFixed(2)} s = ${Math.round(summary.seen / seconds)} assets/s; ` +
        `peak RSS ${peakMb.toFixed(0)} MB; unchanged re-sync: ${updatesAfter - updatesBefore} rows updated (pg_stat n_tup_upd), ` +
        `${again.inserted} inserted, ${again.updated} updated`,
    );
    if (name === 'affogato') {
      const copy = await timeRawCopy(db.pool, name);
      const copyRate = copy.rows / copy.seconds;
      report(
        `${name}: raw COPY of the same ${copy.rows} rows: ${copy.seconds.toFixed(2)} s = ${Math.round(copyRate)} rows/s; ` +
          `sync ÷ COPY = ${(summary.seen / seconds / copyRate).toFixed(2)}`,
      );
    }
    await handle.close();
  }
} finally {
  await sim.stop();
  redis.disconnect();
  await db.drop();
}
