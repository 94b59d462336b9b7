/**
 * Asks the provider's detail endpoint (never a destructive one) whether an action took effect, for ids whose
 * outcome is uncertain, so nothing is done twice and nothing done is reported failed.
 */
import pMap from 'p-map';
import type { LookupAnswer } from '../domain/action-outcome.ts';
import { ProviderError } from '../errors.ts';
import type { AssetAction, AssetProvider } from '../providers/provider.ts';

export type LookupVerdict = { answer: Exclude<LookupAnswer, 'lookup_failed'> } | { answer: 'lookup_failed'; error: ProviderError };

export async function verifyByLookup(
  provider: AssetProvider,
  action: AssetAction,
  assetIds: readonly string[],
  concurrency: number,
): Promise<LookupVerdict[]> {
  return pMap(
    assetIds,
    async (assetId): Promise<LookupVerdict> => {
      try {
        return { answer: provider.effectSeen(action, await provider.lookup(assetId)) };
      } catch (error) {
        // only the provider's own failures mean "unknown"; anything else is a bug or the database
        if (error instanceof ProviderError) return { answer: 'lookup_failed', error };
        throw error;
      }
    },
    { concurrency: Math.max(1, concurrency) },
  );
}
