/**
 * Carries out the planned actions of one apply (or undo) run at one provider through the action engine
 * (src/actions/action-engine.ts): what retention adds is its own safety checks: never more pending actions
 * than maxActionsPerRun, never an action the provider's adapter does not offer, and never a fresh start
 * over actions an earlier attempt left in flight (verifyInFlight settles those first).
 */
import type pg from 'pg';
import { resumeInFlight, runActions, type ActionRunOptions } from '../actions/action-engine.ts';
import type { StopKind } from '../domain/action-outcome.ts';
import type { AssetAction } from '../domain/action-names.ts';
import { SafetyLimitError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { countActionsByState, type ActionState } from '../db/retention.repository.ts';
import { retentionLedger } from './retention-ledger.ts';

export type { StopKind } from '../domain/action-outcome.ts';

/** Whose run it is: an apply's actions ('retention') or an undo's restores ('undo'), and the words each uses. */
export type ExecutorSource = 'retention' | 'undo';

const WORDING: Record<ExecutorSource, { unsupported: string; signalled: string }> = {
  retention: { unsupported: 'not its retention action', signalled: 'stopped by a signal; the next apply finishes the run' },
  undo: { unsupported: 'its adapter does not offer it', signalled: 'stopped by a signal; run the undo again to finish it' },
};

export interface ExecutorOptions {
  pool: pg.Pool;
  provider: AssetProvider;
  runId: number;
  action: AssetAction;
  /** default 'retention' */
  source?: ExecutorSource;
  log: Logger;
  clock: () => Date;
  signal?: AbortSignal | undefined;
  /**
   * refuses to start when more actions than this are pending: the caps hold even if a caller is wrong;
   * undefined for an undo, which restores only what an apply did
   */
  maxActions?: number | undefined;
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
    ledger: retentionLedger(options.pool, options.runId, options.provider.name, options.action, options.source ?? 'retention'),
    log: options.log.child({ runId: options.runId }),
    clock: options.clock,
    signal: options.signal,
    assertMayAct: options.assertMayAct,
    concurrency: options.concurrency,
    policy: { maxAttempts: options.maxAttempts, maxConsecutiveFailures: options.maxConsecutiveFailures },
    ...(onRecorded === undefined ? {} : { onRecorded }),
  };
}

/** Progress as each settlement is recorded: `total` is what was pending when the work started. */
function progressTo(options: ExecutorOptions, total: number): (count: number) => void {
  let settled = 0;
  return (count) => {
    settled += count;
    options.onProgress?.(settled, total);
  };
}

/**
 * Settles actions left in_flight by an interrupted apply or undo, by asking the provider what became of each;
 * with `progressTotal`, progress is reported against it as they settle.
 */
export async function verifyInFlight(options: ExecutorOptions, progressTotal?: number): Promise<number> {
  return resumeInFlight(engineOptions(options, progressTotal === undefined ? undefined : progressTo(options, progressTotal)));
}

/** Throws unless the provider's adapter offers the action. */
export function assertExecutable(options: Pick<ExecutorOptions, 'provider' | 'action' | 'source'>): void {
  const { provider, action } = options;
  // the caller takes the action from the provider's registered retention profile; the adapter must offer it
  if (!provider.supportedActions.includes(action)) {
    throw new Error(`refusing to ${action} at ${provider.name}: ${WORDING[options.source ?? 'retention'].unsupported}`);
  }
}

export async function executeRun(options: ExecutorOptions): Promise<ExecutionResult> {
  assertExecutable(options);
  const { provider, runId } = options;
  const initial = await countActionsByState(options.pool, runId);
  const pending = initial.planned + initial.in_flight;
  if (options.maxActions !== undefined && pending > options.maxActions) {
    throw new SafetyLimitError(`${provider.name}: run ${runId} has ${pending} pending actions, more than maxActionsPerRun ${options.maxActions}`);
  }
  if (initial.in_flight > 0) throw new Error(`run ${runId} has actions in flight: verify them first`);
  const result = await runActions(engineOptions(options, progressTo(options, initial.planned)));
  if (result.stopped?.kind === 'signal') return { stopped: { kind: 'signal', message: WORDING[options.source ?? 'retention'].signalled } };
  return result;
}

/** How a run ends once its actions have run: still 'applying' while any is pending, else 'failed' or 'done'. */
export function runEndState(counts: Record<ActionState, number>): 'applying' | 'failed' | 'done' {
  const pending = counts.planned + counts.in_flight;
  return pending > 0 ? 'applying' : counts.failed > 0 ? 'failed' : 'done';
}
