/** What applying retention at one provider reports: the run's counts, a refusal or stop, and its notes. */
import type { GuardLimit } from '../domain/retention-guards.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { StopKind } from './retention-executor.ts';

export interface ProviderApplyResult {
  provider: ProviderName;
  /** null when nothing was recorded (no rule names the provider and no run was unfinished) */
  runId: number | null;
  /** true when this call finished a run an earlier apply left unfinished */
  resumed: boolean;
  evaluatedAt: Date;
  /** actions the run set out to take */
  planned: number;
  applied: number;
  failed: number;
  skipped: number;
  /** left planned for the next apply (a stop signal) */
  pending: number;
  refused: { limit: GuardLimit; reason: string } | null;
  stopped: { kind: StopKind; message: string } | null;
  notes: string[];
}

export type ProviderApplyOutcome = { provider: ProviderName; result: ProviderApplyResult } | { provider: ProviderName; error: unknown };
