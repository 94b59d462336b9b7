/**
 * Assessing a plan, which plan and apply share: the facts a plan is judged on (a fresh evaluation, the last sync,
 * the guards' verdict), the dependencies both take, and notes about rules that cannot do all they seem to say.
 */
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import type pg from 'pg';
import { createDb } from '../db/client.ts';
import { findLastFinishedRun } from '../db/sync-runs.repository.ts';
import { evaluateProvider, type ProviderEvaluation, type RetentionAssetRow } from '../domain/retention-evaluate.ts';
import { checkApplyGuards, type GuardVerdict, type LastSyncFacts } from '../domain/retention-guards.ts';
import { requireFacts, type ProviderFacts, type ProviderFactsLookup } from '../domain/provider-facts.ts';
import type { RetentionRules } from '../domain/retention-rules.ts';
import type { Logger } from '../logger.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';
import type { ExecutorOptions } from './retention-executor.ts';
import type { LoadedRules } from './retention-rules.loader.ts';
import { loadRetentionRows, type RunStarter } from '../db/retention.repository.ts';

export interface RetentionDeps {
  pool: pg.Pool;
  logger: Logger;
  clock?: () => Date;
  /** aborted on SIGINT/SIGTERM or a worker shutdown: apply stops between waves and resumes next time */
  signal?: AbortSignal | undefined;
  executor?: Partial<Pick<ExecutorOptions, 'concurrency' | 'maxAttempts' | 'maxConsecutiveFailures'>>;
  onProgress?: (provider: ProviderName, settled: number, total: number) => void;
  /** the provider registry (default: the built-in providers): each provider's retention profile */
  providers?: ProviderFactsLookup;
  /** recorded on every run this creates: who or what started it */
  startedBy?: RunStarter | undefined;
  /** records a notification event with each run applied, failed or refused (undefined: notifications off) */
  notifications?: NotificationOutbox | undefined;
}

/** The provider's facts from the deps' registry; an unknown name is an UnknownProviderError. */
export function providerFacts(deps: Pick<RetentionDeps, 'providers'>, provider: ProviderName): ProviderFacts {
  return requireFacts(deps.providers ?? builtinProviderRegistry, provider);
}

export type RulesWithSource = Extract<LoadedRules, { kind: 'rules' }>;

export async function lastSyncFacts(pool: pg.Pool, provider: ProviderName): Promise<LastSyncFacts | undefined> {
  const run = await findLastFinishedRun(createDb(pool), provider);
  if (run === undefined || run.finishedAt === null) return undefined;
  return { state: run.state === 'partial' ? 'partial' : 'complete', finishedAt: run.finishedAt, partialReason: run.partialReason };
}

/** The provider's live catalog (removed_at null, trashed assets included), the rules' decisions on it at `now`, and the last sync. */
export interface LiveEvaluation {
  rows: RetentionAssetRow[];
  evaluation: ProviderEvaluation;
  lastSync: LastSyncFacts | undefined;
}

export async function evaluateLive(pool: pg.Pool, rules: RetentionRules, provider: ProviderFacts, now: Date): Promise<LiveEvaluation> {
  const [rows, lastSync] = await Promise.all([loadRetentionRows(pool, provider.name), lastSyncFacts(pool, provider.name)]);
  return { rows, evaluation: evaluateProvider(rules, provider, rows, now), lastSync };
}

/** What the apply guards say of `planned` actions on the live catalog. */
export function liveGuards(live: LiveEvaluation, planned: number, rules: RetentionRules, now: Date): GuardVerdict {
  // the rows are the live catalog (removed_at null, trashed assets included): no second query to count it
  return checkApplyGuards({ planned, liveAssets: live.rows.length, lastSync: live.lastSync, safety: rules.safety, now });
}

/** A fresh plan of the provider's live catalog at `now`, and what the apply guards say about it. */
export interface PlanAssessment {
  evaluation: ProviderEvaluation;
  planned: number;
  skipped: number;
  liveAssets: number;
  verdict: GuardVerdict;
}

export async function assessPlan(pool: pg.Pool, rules: RetentionRules, provider: ProviderFacts, now: Date): Promise<PlanAssessment> {
  const live = await evaluateLive(pool, rules, provider, now);
  const { evaluation } = live;
  const planned = evaluation.decisions.filter((decision) => decision.state === 'planned').length;
  const verdict = liveGuards(live, planned, rules, now);
  return { evaluation, planned, skipped: evaluation.decisions.length - planned, liveAssets: live.rows.length, verdict };
}

export function hasRulesFor(rules: RetentionRules, provider: ProviderName): boolean {
  return rules.rules.some((rule) => rule.provider === provider);
}

/** Things an operator should know about the rules for this provider that are not errors. */
export function rulesNotes(rules: RetentionRules, provider: ProviderFacts): string[] {
  const notes: string[] = [];
  if (rules.safety.protectedTags.length > 0 && !provider.retention.hasTags && hasRulesFor(rules, provider.name)) {
    notes.push(`${provider.name} exposes no tags, so protectedTags cannot protect its assets`);
  }
  return notes;
}
