/**
 * The retention rules as the worker understands them, and what the catalog holds for each provider (so a rule
 * can be checked against it before it ever runs). Pure: no I/O.
 */
import type { ProviderName } from '../providers/provider-names.ts';

export const RETENTION_ACTIONS = ['archive', 'trash', 'delete'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

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

export interface ProviderRetentionProfile {
  /** the one retention action the provider offers */
  action: RetentionAction;
  /** the kinds its catalog rows can have */
  kinds: readonly string[];
  /** its documented statuses; undefined where none are documented (any value is accepted verbatim) */
  statuses: readonly string[] | undefined;
  /** whether its API exposes tags and a category the catalog can match on */
  hasTags: boolean;
  hasCategory: boolean;
}

/**
 * What each provider's catalog rows can be matched on. Affogato's v2 assets and Roughy's assets carry no tags
 * and no category, so a tag or category condition on them could never be evaluated: it is a configuration error
 * rather than a rule that silently matches nothing (or, for tagsNone, everything).
 */
export const RETENTION_PROFILES: Readonly<Record<ProviderName, ProviderRetentionProfile>> = Object.freeze({
  affogato: {
    action: 'archive',
    kinds: ['image', 'video', 'audio'],
    statuses: ['active', 'archive', 'pending', 'censored', 'processing'],
    hasTags: false,
    hasCategory: false,
  },
  mediapocket: {
    action: 'trash',
    kinds: ['image', 'video', 'audio', 'article', 'placeholder'],
    statuses: undefined,
    hasTags: true,
    hasCategory: true,
  },
  roughy: {
    action: 'delete',
    kinds: ['audio', 'video'],
    statuses: ['pending_upload', 'processing', 'pending_payment', 'ready', 'failed'],
    hasTags: false,
    hasCategory: false,
  },
});
