/**
 * Everything the worker needs to know about one provider, exported from the provider's own folder and listed
 * once in ./registry.ts: its pure facts (retention profile, bulk actions), its environment variables, and the
 * factory that builds its client and adapter.
 */
import type { ProviderConfig, ProviderEnvSpec } from '../config.ts';
import type { ProviderFacts } from '../domain/provider-facts.ts';
import type { RateLimiter } from '../http/rate-limiter.ts';
import type { Logger } from '../logger.ts';
import type { AssetAction, AssetProvider, DagActionsApi } from './provider.ts';

export interface ProviderDeps {
  rateLimiter: RateLimiter;
  /** already bound to the provider */
  logger: Logger;
}

export interface ProviderHandle {
  provider: AssetProvider;
  /** only for a provider with DAG action runs (Media Pocket) */
  dagActions?: DagActionsApi;
  close(): Promise<void>;
}

export interface ProviderDefinition extends ProviderFacts {
  readonly env: ProviderEnvSpec;
  /** ids one call takes per action, where above 1 (the adapter's batchSize answers the same) */
  readonly batchSizes: Readonly<Partial<Record<AssetAction, number>>>;
  create(config: ProviderConfig, deps: ProviderDeps): ProviderHandle;
}
