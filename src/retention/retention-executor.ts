/**
 * Carries out the planned actions of one apply run at one provider through the action engine
 * (src/actions/action-engine.ts): what retention adds is its own safety checks: never more pending actions
 * than maxActionsPerRun, never an action other than the provider's retention action, and never a fresh start
 * over actions an earlier apply left in flight (verifyInFlight settles those first).
 */
import type pg from 'pg';
import { resumeInFlight, runActions, type ActionRunOptions } from '../actions/action-engine.ts';
import type { StopKind } from '../domain/action-outcome.ts';
import type { RetentionAction } from '../domain/retention-rules.ts';
import { SafetyLimitError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { countActionsByState } from '../db/retention.repository.ts';
import { retentionLedger } from './retention-ledger.ts';

export type { StopKind } from '../domain/action-outcome.ts';

export interface ExecutorOptions {
  pool: pg.Pool;
  provider: AssetProvider;
  runId: number;
  action: RetentionAction;
  log: Logger;
  clock: () => Date;
  signal?: AbortSignal | undefined;
  /** refuses to start when more actions than this are pending: the caps hold even if a caller is wrong */
  maxActions: number;
  /** provider calls in flight at once */
  concurrency?: number;
  /** calls an id left out of a batch answer gets before it is verified and recorded failed */
  maxAttempts?: number;
  maxConsecutiveFailures?: number;
  onProgress?: (settled: number, total: number) => void;
  /** throws once the run's provider locks are lost: see ActionRunOptions.assertMayAct */
  assertMayAct?: () => void;
}

export interface ExecutionResult {
  stopped?: { kind: StopKind; message: string };
}

function engineOptions(options: ExecutorOptions, onRecorded?: (settled: number) => void): ActionRunOptions {
  return {
    pool: options.pool,
    provider: options.provider,
    action: options.action,
    ledger: retentionLedger(options.pool, options.runId, options.provider.name, options.action, 'retention'),
    log: options.log.child({ runId: options.runId }),
    clock: options.clock,
    signal: options.signal,
    assertMayAct: options.assertMayAct,
    concurrency: options.concurrency,
    policy: {
      ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
      ...(options.maxConsecutiveFailures === undefined ? {} : { maxConsecutiveFailures: options.maxConsecutiveFailures }),
    },
    ...(onRecorded === undefined ? {} : { onRecorded }),
  };
}

/** Settles actions left in_flight by an interrupted apply, by asking the provider what became of each. */
export async function verifyInFlight(options: ExecutorOptions): Promise<number> {
  return resumeInFlight(engineOptions(options));
}

function assertExecutable(options: ExecutorOptions): void {
  const { provider, action } = options;
  // the caller takes the action from the provider's registered retention profile; the adapter must offer it
  if (!provider.supportedActions.includes(action)) {
    throw new Error(`refusing to ${action} at ${provider.name}: not its retention action`);
  }
}

export async function executeRun(options: ExecutorOptions): Promise<ExecutionResult> {
  assertExecutable(options);
  const { provider, runId } = options;
  const initial = await countActionsByState(options.pool, runId);
  const pending = initial.planned + initial.in_flight;
  if (pending > options.maxActions) {
    throw new SafetyLimitError(`${provider.name}: run ${runId} has ${pending} pending actions, more than maxActionsPerRun ${options.maxActions}`);
  }
  if (initial.in_flight > 0) throw new Error(`run ${runId} has actions in flight: verify them first`);
  const total = initial.planned;
  let settled = 0;
  const result = await runActions(
    engineOptions(options, (count) => {
      settled += count;
      options.onProgress?.(settled, total);
    }),
  );
  if (result.stopped?.kind === 'signal') return { stopped: { kind: 'signal', message: 'stopped by a signal; the next apply finishes the run' } };
  return result;
}
