/**
 * What the pure logic knows about a provider: its name, its one retention action and what its catalog rows can
 * be matched on, its bulk actions. Domain functions receive these as parameters (from the provider registry),
 * so nothing below the providers layer lists providers. Pure.
 */
import { InvalidRequestError } from '../errors.ts';
import type { AssetAction, BulkAction, RetentionAction } from './action-names.ts';

/** A provider's registered name (e.g. in the catalog's `provider` column); validated against the registry. */
export type ProviderName = string;

/** What an action that took effect changes in the asset's catalog row, at once, without waiting for a sync. */
export type CatalogEffect =
  /** the provider's status becomes this value */
  | { kind: 'status'; status: string }
  | { kind: 'trashed' }
  | { kind: 'restored' }
  | { kind: 'removed' };

/**
 * Whether the provider can take its retention action back, and how: what `retention undo` relies on and what a
 * plan shows beside each action.
 */
export type RetentionReversal =
  /** `undoAction` on each asset the run acted on reverses it (Media Pocket's restore from the trash bin) */
  | { kind: 'reversible'; undoAction: AssetAction; how: string }
  /** no way back: why, in words for an operator */
  | { kind: 'irreversible'; why: string };

export interface ProviderRetentionProfile {
  /** the one retention action the provider offers */
  action: RetentionAction;
  /** how that action is reversed, if at all */
  reversal: RetentionReversal;
  /** how a catalog row shows that action already done: such an asset is never planned again */
  doneState: CatalogEffect;
  /** the kinds its catalog rows can have */
  kinds: readonly string[];
  /** its documented statuses; undefined where none are documented (any value is accepted verbatim) */
  statuses: readonly string[] | undefined;
  /**
   * whether its API exposes tags and a category the catalog can match on: where not, a tag or category condition
   * is a configuration error rather than a rule that silently matches nothing (or, for tagsNone, everything)
   */
  hasTags: boolean;
  hasCategory: boolean;
}

export interface ProviderFacts {
  readonly name: ProviderName;
  /** for people: "Media Pocket" */
  readonly displayName: string;
  readonly retention: ProviderRetentionProfile;
  /** the bulk actions it offers (CONTRACT.md) */
  readonly bulkActions: readonly BulkAction[];
}

/** The registered providers' facts, in registration order. */
export interface ProviderFactsLookup {
  readonly names: readonly ProviderName[];
  facts(name: string): ProviderFacts | undefined;
}

/** A name no registered provider has: a usage error (exit 2) naming the known ones. */
export class UnknownProviderError extends InvalidRequestError {
  readonly provider: string;

  constructor(provider: string, known: readonly string[]) {
    super(`unknown provider "${provider}" (expected one of ${known.join(', ')})`);
    this.name = 'UnknownProviderError';
    this.provider = provider;
  }
}

export function requireFacts(providers: ProviderFactsLookup, name: string): ProviderFacts {
  const facts = providers.facts(name);
  if (facts === undefined) throw new UnknownProviderError(name, providers.names);
  return facts;
}

/** "a, b or c" */
export function joinAlternatives(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} or ${words[words.length - 1]}`;
}

/** "a, b and c" */
export function joinAll(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words[words.length - 1]}`;
}
