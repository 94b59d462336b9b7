/**
 * Builds the adapter of every enabled provider (a provider is enabled when its API key is set), in registry order.
 */
import type { Config } from '../config.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { RateLimiter } from '../http/rate-limiter.ts';
import type { Logger } from '../logger.ts';
import type { ProviderHandle } from './provider-definition.ts';
import { builtinProviderRegistry, type ProviderRegistry } from './registry.ts';

export type { ProviderDeps, ProviderHandle } from './provider-definition.ts';

export function createProviders(
  config: Config,
  deps: { rateLimiter: RateLimiter; logger: Logger },
  registry: ProviderRegistry = builtinProviderRegistry,
): Map<ProviderName, ProviderHandle> {
  const handles = new Map<ProviderName, ProviderHandle>();
  for (const definition of registry.definitions) {
    const providerConfig = config.providers[definition.name];
    if (providerConfig === undefined) continue;
    handles.set(definition.name, definition.create(providerConfig, { rateLimiter: deps.rateLimiter, logger: deps.logger.child({ provider: definition.name }) }));
  }
  return handles;
}
