/**
 * Evaluates retention rules against catalog rows at one fixed "now": which assets a rule selects, why, and which
 * of them a protected tag saves. Pure: rows in, decisions out.
 *
 * - Only assets present at the provider (removed_at null) and not already in the action's target state are
 *   candidates: an asset the worker (or anyone) already archived, trashed or deleted is never planned again.
 * - Every condition of a rule must hold; a list matches any of its values.
 * - The first matching rule in file order applies; the decision names the other rules that matched too.
 * - A protected tag always wins: the asset is recorded as skipped, with the rule that would have acted.
 */
import type { CatalogEffect, ProviderFacts, ProviderName } from './provider-facts.ts';
import type { RetentionAction, RetentionRule, RetentionRules } from './retention-rules.ts';

const DAY_MS = 86_400_000;

export interface RetentionAssetRow {
  assetId: string;
  kind: string | null;
  status: string | null;
  category: string | null;
  tags: string[] | null;
  providerCreatedAt: Date | null;
  providerUpdatedAt: Date | null;
  firstSeenAt: Date;
  /** the last change the catalog saw */
  lastChangedAt: Date;
  trashedAt: Date | null;
  removedAt: Date | null;
}

export type DecisionState = 'planned' | 'skipped';

export interface RetentionDecision {
  assetId: string;
  /** the rule that applies: the first matching one in file order */
  rule: string;
  action: RetentionAction;
  state: DecisionState;
  reason: string;
  /** later rules that matched the asset as well */
  alsoMatched: string[];
}

export interface ProviderEvaluation {
  provider: ProviderName;
  /** present assets not already in the target state */
  candidates: number;
  decisions: RetentionDecision[];
}

/** True when the row already shows the provider's retention action done (its profile's `doneState`): acting again would change nothing. */
export function isInTargetState(doneState: CatalogEffect, row: Pick<RetentionAssetRow, 'status' | 'trashedAt' | 'removedAt'>): boolean {
  switch (doneState.kind) {
    case 'status':
      return row.status === doneState.status;
    case 'trashed':
      return row.trashedAt !== null;
    case 'restored':
      return row.trashedAt === null;
    case 'removed':
      return row.removedAt !== null;
  }
}

function wholeDays(ms: number): number {
  return Math.floor(ms / DAY_MS);
}

/** The reasons a rule matches an asset, one per condition, or undefined when a condition fails. */
export function matchRule(rule: RetentionRule, row: RetentionAssetRow, now: Date): string[] | undefined {
  const { when } = rule;
  const reasons: string[] = [];
  if (when.olderThanDays !== undefined) {
    const [reference, label] = row.providerCreatedAt === null ? [row.firstSeenAt, 'first seen'] : [row.providerCreatedAt, 'created'];
    const age = now.getTime() - reference.getTime();
    if (!(age > when.olderThanDays * DAY_MS)) return undefined;
    reasons.push(`${label} ${wholeDays(age)} days ago (> ${when.olderThanDays})`);
  }
  if (when.notUpdatedForDays !== undefined) {
    const [reference, label] =
      row.providerUpdatedAt === null ? [row.lastChangedAt, 'unchanged in the catalog for'] : [row.providerUpdatedAt, 'not updated for'];
    const age = now.getTime() - reference.getTime();
    if (!(age > when.notUpdatedForDays * DAY_MS)) return undefined;
    reasons.push(`${label} ${wholeDays(age)} days (> ${when.notUpdatedForDays})`);
  }
  for (const [name, value] of [
    ['status', row.status],
    ['kind', row.kind],
    ['category', row.category],
  ] as const) {
    const wanted = when[name];
    if (wanted === undefined) continue;
    if (value === null || !wanted.includes(value)) return undefined;
    reasons.push(`${name} ${value}`);
  }
  if (when.tagsAny !== undefined) {
    const hits = (row.tags ?? []).filter((tag) => when.tagsAny?.includes(tag));
    if (hits.length === 0) return undefined;
    reasons.push(`tagged ${hits.join(', ')}`);
  }
  if (when.tagsNone !== undefined) {
    // unknown tags cannot prove the absence of a tag
    if (row.tags === null || row.tags.some((tag) => when.tagsNone?.includes(tag))) return undefined;
    reasons.push(`not tagged ${when.tagsNone.join(', ')}`);
  }
  return reasons;
}

function protection(provider: Pick<ProviderFacts, 'retention'>, row: RetentionAssetRow, protectedTags: readonly string[]): string | undefined {
  if (protectedTags.length === 0) return undefined;
  const hits = (row.tags ?? []).filter((tag) => protectedTags.includes(tag));
  if (hits.length > 0) return `protected tag ${hits.join(', ')}`;
  // where the provider has tags but this row's are unknown, a protected tag cannot be ruled out
  if (provider.retention.hasTags && row.tags === null) return 'tags unknown, so a protected tag cannot be ruled out';
  return undefined;
}

/** Decisions for one provider's catalog rows, in the rows' order. */
export function evaluateProvider(
  rules: RetentionRules,
  provider: Pick<ProviderFacts, 'name' | 'retention'>,
  rows: Iterable<RetentionAssetRow>,
  now: Date,
): ProviderEvaluation {
  const providerRules = rules.rules.filter((rule) => rule.provider === provider.name);
  const { doneState } = provider.retention;
  const decisions: RetentionDecision[] = [];
  let candidates = 0;
  for (const row of rows) {
    if (row.removedAt !== null || isInTargetState(doneState, row)) continue;
    candidates += 1;
    let first: { rule: RetentionRule; reasons: string[] } | undefined;
    const alsoMatched: string[] = [];
    for (const rule of providerRules) {
      const reasons = matchRule(rule, row, now);
      if (reasons === undefined) continue;
      if (first === undefined) first = { rule, reasons };
      else alsoMatched.push(rule.name);
    }
    if (first === undefined) continue;
    const also = alsoMatched.length === 0 ? '' : `; also matched ${alsoMatched.join(', ')} (the first matching rule in file order applies)`;
    const matched = `${first.reasons.join(', ')}${also}`;
    const protectedBy = protection(provider, row, rules.safety.protectedTags);
    decisions.push({
      assetId: row.assetId,
      rule: first.rule.name,
      action: first.rule.action,
      state: protectedBy === undefined ? 'planned' : 'skipped',
      reason: protectedBy === undefined ? matched : `${protectedBy}: never acted on (matched: ${matched})`,
      alsoMatched,
    });
  }
  return { provider: provider.name, candidates, decisions };
}
