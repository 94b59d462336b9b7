/**
 * One provider call and what it makes of each id: the provider's answer (or the call's failure) is classified by
 * the domain rule, the uncertain ids are verified by lookup, and the result is a settlement ready to record.
 */
import {
  outcomeOfAnswer,
  outcomeOfCallFailure,
  outcomeOfLookup,
  type ActionPolicy,
  type AnswerPlace,
  type IdOutcome,
  type StopKind,
} from '../domain/action-outcome.ts';
import { ProviderError } from '../errors.ts';
import type { ActionResult, AssetAction, AssetProvider } from '../providers/provider.ts';
import { emptySettlement, type LedgerEntry, type Settlement } from './action-ledger.ts';
import { verifyByLookup } from './verify-by-lookup.ts';

/** Shared by the calls of one run: consecutive failures and the first reason to stop. */
export interface RunState {
  consecutiveFailures: number;
  stop?: { kind: Exclude<StopKind, 'signal'>; message: string };
}

export interface CallContext {
  provider: AssetProvider;
  action: AssetAction;
  policy: ActionPolicy;
  /** lookups at once */
  concurrency: number;
  state: RunState;
}

/** An id's outcome so far, and the words that explain it should it end failed. */
export interface Decided {
  entry: LedgerEntry;
  outcome: IdOutcome;
  why: string;
}

function permissionMessage(error: ProviderError): string {
  return `permission denied by ${error.provider}: ${error.message}; check the key's permissions (${error.provider.toUpperCase()}_API_KEY)`;
}

function placeOf(answer: ActionResult): (assetId: string) => AnswerPlace {
  const done = new Set(answer.done);
  const gone = new Set(answer.gone);
  const notDone = new Set(answer.notDone);
  return (assetId) => (done.has(assetId) ? 'done' : gone.has(assetId) ? 'gone' : notDone.has(assetId) ? 'not_done' : 'left_out');
}

/** Sends the call and classifies every id; only non-provider errors (bugs, the database) are thrown. */
export async function performAndClassify(context: CallContext, entries: readonly LedgerEntry[]): Promise<Decided[]> {
  const { provider, action, policy, state } = context;
  try {
    const answer = await provider.perform(action, entries.map((entry) => entry.assetId));
    state.consecutiveFailures = 0;
    const place = placeOf(answer);
    const why = `${provider.name} did not ${action} it in ${policy.maxAttempts} attempts (left out of the answer)`;
    return entries.map((entry) => ({ entry, outcome: outcomeOfAnswer(place(entry.assetId), entry.attempts, policy), why }));
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const call = outcomeOfCallFailure(error.kind, entries.length, state.consecutiveFailures, policy);
    state.consecutiveFailures = call.consecutiveFailures;
    const why = call.stop === 'permission' ? permissionMessage(error) : error.message;
    if (call.stop === 'permission') state.stop ??= { kind: 'permission', message: why };
    if (call.stop === 'unavailable') {
      state.stop ??= { kind: 'unavailable', message: `${provider.name} kept failing (${call.consecutiveFailures} calls in a row): ${error.message}` };
    }
    return entries.map((entry) => ({ entry, outcome: call.each, why }));
  }
}

/**
 * Verifies the ids that need it, then sorts every id into the settlement. Throws when an outcome is unknown (a
 * resume whose lookup failed): nothing may be decided or sent then, and the job is retried.
 */
export async function settle(context: CallContext, decided: readonly Decided[]): Promise<Settlement> {
  const toVerify = decided.filter((d) => d.outcome.kind === 'verify');
  const verdicts = await verifyByLookup(
    context.provider,
    context.action,
    toVerify.map((d) => d.entry.assetId),
    context.concurrency,
  );
  const final = new Map<Decided, { outcome: IdOutcome; why: string }>();
  toVerify.forEach((d, index) => {
    const verdict = verdicts[index];
    if (verdict === undefined || d.outcome.kind !== 'verify') return;
    const outcome = outcomeOfLookup(d.outcome.cause, verdict.answer);
    if (outcome.kind === 'unknown' && verdict.answer === 'lookup_failed') throw verdict.error;
    const why = verdict.answer === 'lookup_failed' ? `${d.why}; its state could not be checked: ${verdict.error.message}` : d.why;
    final.set(d, { outcome, why });
  });
  const settlement = emptySettlement();
  for (const d of decided) {
    const { outcome, why } = final.get(d) ?? d;
    switch (outcome.kind) {
      case 'done':
        settlement.done.push(d.entry);
        break;
      case 'gone':
        settlement.gone.push(d.entry);
        break;
      case 'retry':
        settlement.retry.push(d.entry);
        break;
      case 'failed':
        settlement.failed.push({ entry: d.entry, reason: why });
        break;
      case 'verify':
      case 'unknown':
        throw new Error(`action outcome of ${d.entry.assetId} left undecided (${outcome.kind})`);
    }
  }
  return settlement;
}
