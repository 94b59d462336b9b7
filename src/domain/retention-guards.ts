/**
 * The limits a retention apply must pass before any destructive call: a fresh, complete catalog and a plan
 * within the caps. Pure: facts in, a verdict naming the limit and the numbers out.
 */
import type { RetentionSafety } from './retention-rules.ts';

export interface LastSyncFacts {
  state: 'complete' | 'partial';
  finishedAt: Date;
  partialReason: string | null;
}

export interface GuardInput {
  /** actions the plan would take (skipped ones excluded) */
  planned: number;
  /** the provider's live catalog: assets with removed_at null */
  liveAssets: number;
  /** the provider's last finished sync, complete or partial */
  lastSync: LastSyncFacts | undefined;
  safety: RetentionSafety;
  now: Date;
}

export type GuardLimit = 'never_synced' | 'partial_listing' | 'stale_catalog' | 'max_actions' | 'max_fraction';

export type GuardVerdict = { ok: true } | { ok: false; limit: GuardLimit; reason: string };

function minutesBetween(from: Date, to: Date): number {
  return Math.floor((to.getTime() - from.getTime()) / 60_000);
}

/** The largest plan the fraction allows; the epsilon keeps 0.1 × 1000 at 100 despite binary floating point. */
export function fractionCap(liveAssets: number, fraction: number): number {
  return Math.floor(liveAssets * fraction + 1e-9);
}

export function checkApplyGuards(input: GuardInput): GuardVerdict {
  const { lastSync, safety, now } = input;
  if (lastSync === undefined) {
    return { ok: false, limit: 'never_synced', reason: 'the catalog has never been synced completely: run sync first' };
  }
  if (lastSync.state === 'partial') {
    return {
      ok: false,
      limit: 'partial_listing',
      reason: `the last listing was partial (${lastSync.partialReason ?? 'not trusted'}), finished ${lastSync.finishedAt.toISOString()}: run sync until it completes`,
    };
  }
  const age = minutesBetween(lastSync.finishedAt, now);
  if (age > safety.maxSyncAgeMinutes) {
    return {
      ok: false,
      limit: 'stale_catalog',
      reason: `the last complete sync finished ${age} minutes ago (${lastSync.finishedAt.toISOString()}), more than maxSyncAgeMinutes ${safety.maxSyncAgeMinutes}: run sync first`,
    };
  }
  if (input.planned > safety.maxActionsPerRun) {
    return {
      ok: false,
      limit: 'max_actions',
      reason: `the plan has ${input.planned} actions, more than maxActionsPerRun ${safety.maxActionsPerRun}`,
    };
  }
  const cap = fractionCap(input.liveAssets, safety.maxCatalogFraction);
  if (input.planned > cap) {
    const share = input.liveAssets === 0 ? 'all' : `${((100 * input.planned) / input.liveAssets).toFixed(1)}%`;
    return {
      ok: false,
      limit: 'max_fraction',
      reason: `the plan has ${input.planned} actions, ${share} of the ${input.liveAssets} live assets, more than maxCatalogFraction ${safety.maxCatalogFraction} allows (at most ${cap})`,
    };
  }
  return { ok: true };
}
