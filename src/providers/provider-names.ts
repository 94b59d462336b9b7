/** A provider's name is a plain string validated against the provider registry (./registry.ts). */
export type { ProviderName } from '../domain/provider-facts.ts';
