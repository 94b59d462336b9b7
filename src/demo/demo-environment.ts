/**
 * Where the demo runs: beside a real deployment but never in it. Its database is `<name>_demo` on the server of
 * DATABASE_URL and its queue prefix `<prefix>-demo`; the providers are the built-in simulator on loopback.
 * The demo's Config goes through loadConfig like any other, from an environment assembled here.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig, type Config } from '../config.ts';
import type { Simulator } from '../simulator/simulator.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';

const DEMO_DATABASE_SUFFIX = '_demo';
const DEMO_PREFIX_SUFFIX = '-demo';
/** fast enough for a few thousand assets in seconds, slow enough that the shared request budget is visible */
const DEMO_RPS = '40';

export function demoDatabaseUrl(databaseUrl: string): string {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.replace(/^\//, '')) || 'asset_worker';
  url.pathname = `/${name.endsWith(DEMO_DATABASE_SUFFIX) ? name : `${name}${DEMO_DATABASE_SUFFIX}`}`;
  return url.toString();
}

export function demoQueuePrefix(queuePrefix: string): string {
  return queuePrefix.endsWith(DEMO_PREFIX_SUFFIX) ? queuePrefix : `${queuePrefix}${DEMO_PREFIX_SUFFIX}`;
}

/** Only names the demo derived itself may be reset by it. */
export function isDemoDatabaseUrl(databaseUrl: string): boolean {
  return decodeURIComponent(new URL(databaseUrl).pathname).endsWith(DEMO_DATABASE_SUFFIX);
}

export function isDemoQueuePrefix(queuePrefix: string): boolean {
  return queuePrefix.endsWith(DEMO_PREFIX_SUFFIX);
}

export interface DemoEnvironment {
  config: Config;
  /** the admin token to give the browser: the operator's ADMIN_TOKEN, or one made up for this demo */
  adminToken: { value: string; generated: boolean };
}

export function buildDemoConfig(base: Config, sim: Simulator, rulesPath: string): DemoEnvironment {
  const generated = base.adminToken === undefined;
  // the operator's own token stays theirs: it is passed on, never printed; a generated one is only for this run
  const token = base.adminToken?.reveal() ?? randomBytes(18).toString('base64url');
  const config = loadConfig({
    DATABASE_URL: demoDatabaseUrl(base.databaseUrl),
    REDIS_URL: base.redisUrl,
    QUEUE_PREFIX: demoQueuePrefix(base.queuePrefix),
    AFFOGATO_API_KEY: sim.apiKeys.affogato,
    AFFOGATO_BASE_URL: sim.baseUrls.affogato,
    AFFOGATO_RPS: DEMO_RPS,
    MEDIAPOCKET_API_KEY: sim.apiKeys.mediapocket,
    MEDIAPOCKET_BASE_URL: sim.baseUrls.mediapocket,
    MEDIAPOCKET_RPS: DEMO_RPS,
    ROUGHY_API_KEY: sim.apiKeys.roughy,
    ROUGHY_BASE_URL: sim.baseUrls.roughy,
    ROUGHY_RPS: DEMO_RPS,
    RETENTION_RULES: rulesPath,
    SYNC_CRON: base.syncCron,
    RETENTION_CRON: base.retentionCron,
    SCHEDULE_TZ: base.scheduleTz,
    ADMIN_PORT: String(base.adminPort),
    ADMIN_TOKEN: token,
    LOG_LEVEL: base.logLevel,
  }, builtinProviderRegistry);
  return { config, adminToken: { value: token, generated } };
}
