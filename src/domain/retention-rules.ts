/**
 * The retention rules as the worker understands them. What each provider's catalog can be matched on is its
 * retention profile (provider-facts.ts), handed in from the provider registry. Pure: no I/O.
 */
import type { RetentionAction } from './action-names.ts';
import type { ProviderName } from './provider-facts.ts';

export { RETENTION_ACTIONS, type RetentionAction } from './action-names.ts';

export const CONDITION_NAMES = ['olderThanDays', 'notUpdatedForDays', 'status', 'kind', 'category', 'tagsAny', 'tagsNone'] as const;

export interface RetentionConditions {
  /** created more than N days before "now": provider_created_at, else first_seen_at */
  olderThanDays?: number;
  /** not changed for more than N days: provider_updated_at, else the catalog's last_changed_at */
  notUpdatedForDays?: number;
  /** the provider's status, verbatim; any of */
  status?: string[];
  kind?: string[];
  category?: string[];
  /** carries at least one of these tags */
  tagsAny?: string[];
  /** carries none of these tags */
  tagsNone?: string[];
}

export interface RetentionRule {
  name: string;
  provider: ProviderName;
  action: RetentionAction;
  when: RetentionConditions;
  /** 1-based line of the rule in its file, for messages */
  line: number;
}

export interface RetentionSafety {
  /** per provider and run */
  maxActionsPerRun: number;
  /** refuse a plan larger than this share of the provider's live catalog */
  maxCatalogFraction: number;
  /** refuse to act on a catalog whose last complete sync is older */
  maxSyncAgeMinutes: number;
  /** an asset carrying one of these is never acted on */
  protectedTags: string[];
}

export interface RetentionRules {
  safety: RetentionSafety;
  rules: RetentionRule[];
}

export const SAFETY_DEFAULTS: Readonly<RetentionSafety> = Object.freeze({
  maxActionsPerRun: 100,
  maxCatalogFraction: 0.1,
  maxSyncAgeMinutes: 1440,
  protectedTags: [],
});
