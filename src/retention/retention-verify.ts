/**
 * Asks the provider's detail endpoint (never a destructive one) whether an action already took effect: used for
 * actions interrupted mid-call, and before an action is recorded failed, so nothing is done twice and nothing
 * done is reported as failed.
 */
import type { RetentionAction } from '../domain/retention-rules.ts';
import { ProviderError } from '../errors.ts';
import type { AssetProvider, ObservedEffect } from '../providers/provider.ts';
import { mapWithConcurrency } from '../util/concurrency.ts';
import type { ActionRef } from './retention-outcomes.ts';

export interface Verification {
  done: ActionRef[];
  gone: ActionRef[];
  notDone: ActionRef[];
  /** the lookup itself failed (after the HTTP path's retries): the outcome is unknown */
  unverified: Array<{ ref: ActionRef; error: ProviderError }>;
}

export async function verifyByLookup(
  provider: AssetProvider,
  action: RetentionAction,
  refs: readonly ActionRef[],
  concurrency: number,
): Promise<Verification> {
  const verification: Verification = { done: [], gone: [], notDone: [], unverified: [] };
  type Answer = { ref: ActionRef; effect: ObservedEffect; error?: undefined } | { ref: ActionRef; error: ProviderError };
  const answers = await mapWithConcurrency(refs, concurrency, async (ref): Promise<Answer> => {
    try {
      return { ref, effect: provider.effectSeen(action, await provider.lookup(ref.assetId)) };
    } catch (error) {
      if (error instanceof ProviderError) return { ref, error };
      throw error;
    }
  });
  for (const answer of answers) {
    if (answer.error !== undefined) verification.unverified.push({ ref: answer.ref, error: answer.error });
    else if (answer.effect === 'applied') verification.done.push(answer.ref);
    else if (answer.effect === 'gone') verification.gone.push(answer.ref);
    else verification.notDone.push(answer.ref);
  }
  return verification;
}
