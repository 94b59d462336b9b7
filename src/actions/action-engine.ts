/**
 * The one act → verify → record procedure behind retention and bulk. In bounded waves: claim (planned →
 * in_flight, committed) → call the provider → classify each id (src/domain/action-outcome.ts) → verify the
 * uncertain ones by lookup → record the ledger's outcome and the catalog effect in one transaction.
 *
 * Anything in flight when a run starts was perhaps sent by an attempt that died: it is verified by lookup
 * before anything is sent, so nothing is acted on twice. A stop signal ends the run between waves with what is
 * done committed; a permission error or a provider that keeps failing stops it, and the ledger records every
 * entry not yet sent failed with the reason.
 */
import type pg from 'pg';
import { recordActionDone, recordGone } from '../db/action-effects.repository.ts';
import { setChangeContext } from '../db/change-context.ts';
import { withTransaction } from '../db/transaction.ts';
import { DEFAULT_ACTION_POLICY, type ActionPolicy, type StopKind } from '../domain/action-outcome.ts';
import type { Logger } from '../logger.ts';
import type { AssetAction, AssetProvider } from '../providers/provider.ts';
import { chunk } from '../util/concurrency.ts';
import { settledCount, type ActionLedger, type LedgerEntry, type Settlement } from './action-ledger.ts';
import { performAndClassify, settle, type CallContext, type RunState } from './settle-call.ts';

export interface ActionRunOptions {
  pool: pg.Pool;
  provider: AssetProvider;
  action: AssetAction;
  ledger: ActionLedger;
  log: Logger;
  clock: () => Date;
  signal?: AbortSignal | undefined;
  /** provider calls (and lookups) in flight at once */
  concurrency?: number | undefined;
  /** a field left undefined takes DEFAULT_ACTION_POLICY's */
  policy?: Partial<ActionPolicy> | undefined;
  /** after each recorded settlement: how many entries it finished */
  onRecorded?: (settled: number) => void;
  /**
   * throws when the run may no longer act (its provider lock was lost with its connection): checked before each
   * wave is claimed and before each outcome is recorded, so a run that lost its lock sends and records nothing more
   * and the in-flight entries are left for the resumed run to verify
   */
  assertMayAct?: () => void;
}

export interface ActionRunResult {
  stopped?: { kind: StopKind; message: string };
}

const DEFAULT_CONCURRENCY = 4;

function callContext(options: ActionRunOptions, state: RunState): CallContext {
  return {
    provider: options.provider,
    action: options.action,
    policy: {
      maxAttempts: options.policy?.maxAttempts ?? DEFAULT_ACTION_POLICY.maxAttempts,
      maxConsecutiveFailures: options.policy?.maxConsecutiveFailures ?? DEFAULT_ACTION_POLICY.maxConsecutiveFailures,
    },
    concurrency: Math.max(1, options.concurrency ?? DEFAULT_CONCURRENCY),
    state,
  };
}

async function record(options: ActionRunOptions, settlement: Settlement): Promise<void> {
  if (settledCount(settlement) + settlement.retry.length === 0) return;
  options.assertMayAct?.();
  const { provider, action } = options;
  const at = options.clock();
  const assetIds = (entries: readonly LedgerEntry[]) => entries.map((entry) => entry.assetId);
  await withTransaction(options.pool, async (tx) => {
    // the catalog rows this changes are recorded in catalog_changes as the ledger's (retention, bulk, undo) at `at`
    await setChangeContext(tx, { ...options.ledger.changeSource, at });
    await options.ledger.record(tx, settlement, at);
    await recordActionDone(tx, provider.name, provider.catalogEffect(action), assetIds(settlement.done), at);
    await recordGone(tx, provider.name, assetIds(settlement.gone), at);
  });
  options.onRecorded?.(settledCount(settlement));
}

/** Settles entries an interrupted attempt left in flight, by lookup; throws if any outcome stays unknown. */
export async function resumeInFlight(options: ActionRunOptions): Promise<number> {
  const inFlight = await options.ledger.loadInFlight();
  if (inFlight.length === 0) return 0;
  options.log.warn({ inFlight: inFlight.length }, 'verifying actions an interrupted attempt left in flight before sending anything');
  const context = callContext(options, { consecutiveFailures: 0 });
  const decided = inFlight.map((entry) => ({ entry, outcome: { kind: 'verify', cause: 'resume' } as const, why: 'interrupted mid-call' }));
  await record(options, await settle(context, decided));
  return inFlight.length;
}

export async function runActions(options: ActionRunOptions): Promise<ActionRunResult> {
  await resumeInFlight(options);
  const state: RunState = { consecutiveFailures: 0 };
  const context = callContext(options, state);
  const batchSize = Math.max(1, options.provider.batchSize(options.action));
  let signalled = false;

  const runCall = async (entries: LedgerEntry[]): Promise<void> => {
    const decided = await performAndClassify(context, entries);
    await record(options, await settle(context, decided));
  };

  while (state.stop === undefined) {
    if (options.signal?.aborted === true) {
      signalled = true;
      break;
    }
    options.assertMayAct?.();
    const claimed = await options.ledger.claim(batchSize * context.concurrency);
    if (claimed.length === 0) break;
    const results = await Promise.allSettled(chunk(claimed, batchSize).map(runCall));
    // an unexpected error (a bug, the database) leaves its call in flight: the resumed run verifies it
    const crashed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (crashed !== undefined) throw crashed.reason;
  }

  if (state.stop !== undefined) {
    const notAttempted = await options.ledger.abandon(`not attempted: ${state.stop.message}`, options.clock());
    options.log.error({ notAttempted }, state.stop.message);
    return { stopped: state.stop };
  }
  return signalled ? { stopped: { kind: 'signal', message: 'stopped by a signal; the resumed run finishes the rest' } } : {};
}
