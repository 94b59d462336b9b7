/**
 * Builds the adapter of every enabled provider (a provider is enabled when its API key is set).
 */
import type { Config, ProviderConfig } from '../config.ts';
import type { RateLimiter } from '../http/rate-limiter.ts';
import type { Logger } from '../logger.ts';
import { createAffogatoClient } from './affogato/affogato.client.ts';
import { createAffogatoProvider } from './affogato/affogato.provider.ts';
import { createMediaPocketClient } from './mediapocket/mediapocket.client.ts';
import { createMediaPocketDagActions } from './mediapocket/mediapocket-dag.provider.ts';
import { createMediaPocketProvider } from './mediapocket/mediapocket.provider.ts';
import { assertNever, PROVIDER_NAMES, type ProviderName } from './provider-names.ts';
import type { AssetProvider, DagActionsApi } from './provider.ts';
import { createRoughyClient } from './roughy/roughy.client.ts';
import { createRoughyProvider } from './roughy/roughy.provider.ts';

export interface ProviderDeps {
  rateLimiter: RateLimiter;
  logger: Logger;
}

export interface ProviderHandle {
  provider: AssetProvider;
  /** Media Pocket only */
  dagActions?: DagActionsApi;
  close(): Promise<void>;
}

function createProvider(name: ProviderName, config: ProviderConfig, deps: ProviderDeps): ProviderHandle {
  const logger = deps.logger.child({ provider: name });
  switch (name) {
    case 'affogato': {
      const client = createAffogatoClient({ config, rateLimiter: deps.rateLimiter, logger });
      return { provider: createAffogatoProvider(client), close: () => client.close() };
    }
    case 'mediapocket': {
      const client = createMediaPocketClient({ config, rateLimiter: deps.rateLimiter, logger });
      return {
        provider: createMediaPocketProvider(client, { logger }),
        dagActions: createMediaPocketDagActions(client),
        close: () => client.close(),
      };
    }
    case 'roughy': {
      const client = createRoughyClient({ config, rateLimiter: deps.rateLimiter, logger });
      return { provider: createRoughyProvider(client), close: () => client.close() };
    }
    default:
      return assertNever(name);
  }
}

export function createProviders(config: Config, deps: ProviderDeps): Map<ProviderName, ProviderHandle> {
  const handles = new Map<ProviderName, ProviderHandle>();
  for (const name of PROVIDER_NAMES) {
    const providerConfig = config.providers[name];
    if (providerConfig !== undefined) handles.set(name, createProvider(name, providerConfig, deps));
  }
  return handles;
}
