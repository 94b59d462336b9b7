/**
 * The environment a test hands to the CLI or to loadConfig: its own database and queue prefix, the suite's Redis,
 * and providers pointed at the simulator.
 */
import type { Simulator } from '../../src/simulator/simulator.ts';
import type { SimProvider } from '../../src/simulator/simulator.types.ts';
import { builtinProviderRegistry } from '../../src/providers/registry.ts';
import { redisUrl } from './services.ts';

/** Requests a second per provider; a provider left out is not configured at all. */
export type ProviderRates = Partial<Record<SimProvider, number>>;

/** Spelling out DATABASE_URL, REDIS_URL, QUEUE_PREFIX and each provider's key, base URL and rate in every test adds nothing. */
export function simulatorEnv(
  sim: Simulator,
  databaseUrl: string,
  prefix: string,
  rates: ProviderRates,
  extra: Record<string, string> = {},
): Record<string, string> {
  const env: Record<string, string> = { DATABASE_URL: databaseUrl, REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix };
  for (const [provider, rps] of Object.entries(rates) as Array<[SimProvider, number]>) {
    const name = builtinProviderRegistry.require(provider).env.prefix;
    env[`${name}_API_KEY`] = sim.apiKeys[provider];
    env[`${name}_BASE_URL`] = sim.baseUrls[provider];
    env[`${name}_RPS`] = String(rps);
  }
  return { ...env, ...extra };
}

/** All three providers at a rate that never slows a test down, logging warnings only: the usual full setup. */
export function workerEnv(sim: Simulator, databaseUrl: string, prefix: string, extra: Record<string, string> = {}): Record<string, string> {
  return simulatorEnv(sim, databaseUrl, prefix, { affogato: 500, mediapocket: 500, roughy: 500 }, { LOG_LEVEL: 'warn', ...extra });
}
