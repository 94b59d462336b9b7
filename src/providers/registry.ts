/**
 * The one list of providers. Config, the CLI's help and validation, rules validation, bulk requests, schedules,
 * reports and the admin API all read it; a new provider is its folder plus one line in BUILTIN_PROVIDERS.
 */
import { requireFacts, type ProviderFacts, type ProviderFactsLookup, type ProviderName } from '../domain/provider-facts.ts';
import { providerLockKey } from '../domain/provider-lock-key.ts';
import { affogatoDefinition } from './affogato/affogato.definition.ts';
import { mediaPocketDefinition } from './mediapocket/mediapocket.definition.ts';
import type { ProviderDefinition } from './provider-definition.ts';
import { roughyDefinition } from './roughy/roughy.definition.ts';

export const BUILTIN_PROVIDERS: readonly ProviderDefinition[] = [
  affogatoDefinition,
  mediaPocketDefinition,
  roughyDefinition,
];

export interface ProviderRegistry extends ProviderFactsLookup {
  readonly definitions: readonly ProviderDefinition[];
  has(name: string): boolean;
  get(name: string): ProviderDefinition | undefined;
  /** the definition, or an UnknownProviderError naming the known providers */
  require(name: string): ProviderDefinition;
  facts(name: string): ProviderFacts | undefined;
  lockKey(name: ProviderName): number;
}

/** A problem in the list itself: a programming error, caught when the registry is built. */
export class ProviderRegistryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ProviderRegistryError';
  }
}

const NAME_PATTERN = /^[a-z][a-z0-9]*$/;
const ENV_PREFIX_PATTERN = /^[A-Z][A-Z0-9_]*$/;

function checkUnique<T>(definitions: readonly ProviderDefinition[], what: string, valueOf: (d: ProviderDefinition) => T): void {
  const seen = new Map<T, string>();
  for (const definition of definitions) {
    const value = valueOf(definition);
    const earlier = seen.get(value);
    if (earlier !== undefined) throw new ProviderRegistryError(`providers "${earlier}" and "${definition.name}" have the same ${what} (${String(value)})`);
    seen.set(value, definition.name);
  }
}

export function createProviderRegistry(definitions: readonly ProviderDefinition[]): ProviderRegistry {
  for (const definition of definitions) {
    if (!NAME_PATTERN.test(definition.name)) throw new ProviderRegistryError(`provider name "${definition.name}" must be lower-case letters and digits`);
    if (!ENV_PREFIX_PATTERN.test(definition.env.prefix)) throw new ProviderRegistryError(`env prefix "${definition.env.prefix}" of ${definition.name} must be upper-case`);
  }
  checkUnique(definitions, 'name', (d) => d.name);
  checkUnique(definitions, 'env prefix', (d) => d.env.prefix);
  checkUnique(definitions, 'advisory-lock key', (d) => providerLockKey(d.name));
  const byName = new Map(definitions.map((definition) => [definition.name, definition]));
  const names = Object.freeze(definitions.map((definition) => definition.name));
  const registry: ProviderRegistry = {
    names,
    definitions: Object.freeze([...definitions]),
    has: (name) => byName.has(name),
    get: (name) => byName.get(name),
    facts: (name) => byName.get(name),
    require(name) {
      requireFacts(registry, name);
      return byName.get(name) as ProviderDefinition;
    },
    lockKey(name) {
      return providerLockKey(registry.require(name).name);
    },
  };
  return Object.freeze(registry);
}

export const builtinProviderRegistry: ProviderRegistry = createProviderRegistry(BUILTIN_PROVIDERS);
