/**
 * Carries out the planned actions of one apply run at one provider, in bounded waves:
 * claim a wave (planned → in_flight, committed) → call the provider → record each call's outcome with its
 * catalog effect in one transaction. A process killed anywhere leaves at most one wave in_flight, which
 * `verifyInFlight` settles by lookup before anything else is sent, so no action is ever performed twice.
 *
 * Failures: ids a batch answer left out are tried again (up to `maxAttempts`), then verified and recorded
 * failed; a 404 means already gone; a permission error (401/403) stops the provider's apply at once; a
 * provider that keeps failing after the HTTP path's own retries stops it after `maxConsecutiveFailures`
 * calls. Either way every remaining action is recorded failed with the reason: nothing is left undecided.
 */
import type pg from 'pg';
import { createDb } from '../db/client.ts';
import type { RetentionAction } from '../domain/retention-rules.ts';
import { ProviderError, SafetyLimitError } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { chunk } from '../util/concurrency.ts';
import { noOutcomes, recordOutcomes, type ActionRef, type Outcomes } from './retention-outcomes.ts';
import { claimPlannedActions, countActionsByState, loadActions, settleActions } from './retention.repository.ts';
import { verifyByLookup } from './retention-verify.ts';

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
  /** calls an id left out of a batch answer gets before it is recorded failed */
  maxAttempts?: number;
  maxConsecutiveFailures?: number;
  onProgress?: (settled: number, total: number) => void;
}

export type StopKind = 'permission' | 'unavailable' | 'signal';

export interface ExecutionResult {
  stopped?: { kind: StopKind; message: string };
}

const DEFAULTS = { concurrency: 4, maxAttempts: 3, maxConsecutiveFailures: 3 };

function permissionMessage(error: ProviderError): string {
  return `permission denied by ${error.provider}: ${error.message}; check the key's permissions (${error.provider.toUpperCase()}_API_KEY)`;
}

/** Settles actions left in_flight by an interrupted apply, by asking the provider what became of each. */
export async function verifyInFlight(options: ExecutorOptions): Promise<number> {
  const { pool, provider, action } = options;
  const inFlight = await loadActions(createDb(pool), options.runId, ['in_flight']);
  if (inFlight.length === 0) return 0;
  options.log.warn({ runId: options.runId, inFlight: inFlight.length }, 'verifying actions an interrupted apply left in flight before sending anything');
  const refs = inFlight.map((row) => ({ id: row.id, assetId: row.assetId }));
  const verification = await verifyByLookup(provider, action, refs, options.concurrency ?? DEFAULTS.concurrency);
  if (verification.unverified.length > 0) {
    // their outcome is unknown: acting again could act twice, recording failed could hide a done action
    const first = verification.unverified[0];
    throw first?.error ?? new Error('lookup failed');
  }
  await recordOutcomes(pool, provider, action, { done: verification.done, gone: verification.gone, retry: verification.notDone, failed: [] }, options.clock());
  return inFlight.length;
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
  const { pool, provider, action, runId, log } = options;
  const concurrency = Math.max(1, options.concurrency ?? DEFAULTS.concurrency);
  const maxAttempts = options.maxAttempts ?? DEFAULTS.maxAttempts;
  const maxConsecutiveFailures = options.maxConsecutiveFailures ?? DEFAULTS.maxConsecutiveFailures;
  const batchSize = Math.max(1, provider.batchSize(action));

  const initial = await countActionsByState(pool, runId);
  const pending = initial.planned + initial.in_flight;
  if (pending > options.maxActions) {
    throw new SafetyLimitError(`${provider.name}: run ${runId} has ${pending} pending actions, more than maxActionsPerRun ${options.maxActions}`);
  }
  if (initial.in_flight > 0) throw new Error(`run ${runId} has actions in flight: verify them first`);
  const total = initial.planned;
  let settled = 0;
  let consecutiveFailures = 0;
  let stopped: ExecutionResult['stopped'];

  const runCall = async (claimed: ActionRef[], attempts: ReadonlyMap<number, number>): Promise<void> => {
    const outcomes = noOutcomes();
    try {
      const result = await provider.perform(action, claimed.map((ref) => ref.assetId));
      consecutiveFailures = 0;
      const byAsset = new Map(claimed.map((ref) => [ref.assetId, ref]));
      const pick = (assetIds: string[]) => assetIds.flatMap((assetId) => byAsset.get(assetId) ?? []);
      outcomes.done.push(...pick(result.done));
      outcomes.gone.push(...pick(result.gone));
      // an id the answer did not mention at all counts as not done: tried again, never assumed
      const settledIds = new Set([...result.done, ...result.gone]);
      const notDone = claimed.filter((ref) => !settledIds.has(ref.assetId));
      const exhausted = notDone.filter((ref) => (attempts.get(ref.id) ?? 0) >= maxAttempts);
      outcomes.retry.push(...notDone.filter((ref) => !exhausted.includes(ref)));
      await settleByLookup(exhausted, `${provider.name} did not ${action} it in ${maxAttempts} attempts (left out of the answer)`, outcomes);
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      switch (error.kind) {
        case 'auth':
          outcomes.failed.push({ refs: claimed, error: permissionMessage(error) });
          stopped ??= { kind: 'permission', message: permissionMessage(error) };
          break;
        case 'not_found':
          if (claimed.length === 1) outcomes.gone.push(...claimed);
          else await settleByLookup(claimed, error.message, outcomes);
          break;
        case 'permanent':
          outcomes.failed.push({ refs: claimed, error: error.message });
          break;
        case 'retryable':
        case 'rate_limited':
          consecutiveFailures += 1;
          // the call may have reached the provider before it failed: ask before calling it failed
          await settleByLookup(claimed, error.message, outcomes);
          if (consecutiveFailures >= maxConsecutiveFailures) {
            stopped ??= { kind: 'unavailable', message: `${provider.name} kept failing (${consecutiveFailures} calls in a row): ${error.message}` };
          }
          break;
      }
    }
    await recordOutcomes(pool, provider, action, outcomes, options.clock());
    settled += outcomes.done.length + outcomes.gone.length + outcomes.failed.reduce((n, failure) => n + failure.refs.length, 0);
    options.onProgress?.(settled, total);
  };

  const settleByLookup = async (refs: ActionRef[], failure: string, outcomes: Outcomes): Promise<void> => {
    if (refs.length === 0) return;
    const verification = await verifyByLookup(provider, action, refs, concurrency);
    outcomes.done.push(...verification.done);
    outcomes.gone.push(...verification.gone);
    if (verification.notDone.length > 0) outcomes.failed.push({ refs: verification.notDone, error: failure });
    for (const { ref, error } of verification.unverified) {
      outcomes.failed.push({ refs: [ref], error: `${failure}; its state could not be checked: ${error.message}` });
    }
  };

  while (stopped === undefined) {
    if (options.signal?.aborted === true) {
      stopped = { kind: 'signal', message: 'stopped by a signal; the next apply finishes the run' };
      break;
    }
    const claimed = await claimPlannedActions(pool, runId, batchSize * concurrency);
    if (claimed.length === 0) break;
    const foreign = claimed.find((row) => row.action !== action);
    if (foreign !== undefined) throw new Error(`run ${runId} holds a "${foreign.action}" action at ${provider.name}: refusing to act`);
    const attempts = new Map(claimed.map((row) => [row.id, row.attempts]));
    const calls = chunk(
      claimed.map((row) => ({ id: row.id, assetId: row.assetId })),
      batchSize,
    );
    const results = await Promise.allSettled(calls.map((call) => runCall(call, attempts)));
    // an unexpected error (a bug, the database) leaves its call in_flight: the next apply verifies it
    const crashed = results.find((result): result is PromiseRejectedResult => result.status === 'rejected');
    if (crashed !== undefined) throw crashed.reason;
  }

  if (stopped !== undefined && stopped.kind !== 'signal') {
    const rest = await loadActions(createDb(pool), runId, ['planned']);
    const note = `not attempted: ${stopped.message}`;
    await settleActions(pool, rest.map((row) => row.id), { state: 'failed', error: note }, ['planned']);
    log.error({ runId, notAttempted: rest.length }, stopped.message);
  }
  return stopped === undefined ? {} : { stopped };
}

