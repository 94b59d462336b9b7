/**
 * What the provider-neutral actions mean, for adapters to build on: how a lookup shows that trash, restore or
 * delete took effect, and what each changes in the catalog row. An action whose meaning is the provider's own
 * (a status word of its own for archive) is answered by its adapter. Pure.
 */
import type { AssetAction, CatalogEffect, LookupResult, ObservedEffect } from './provider.ts';

/** A delete is "applied" once the asset is gone; any other action on a gone asset has nothing left to act on. */
export function standardEffectSeen(action: AssetAction, lookup: LookupResult): ObservedEffect {
  if (lookup.state === 'gone') return action === 'delete' ? 'applied' : 'gone';
  switch (action) {
    case 'trash':
      return lookup.state === 'trashed' ? 'applied' : 'not_applied';
    case 'restore':
      return lookup.state === 'present' ? 'applied' : 'not_applied';
    case 'delete':
      return 'not_applied';
    case 'archive':
      throw new Error('archive has no provider-neutral meaning: the provider adapter answers it');
  }
}

export function standardCatalogEffect(action: AssetAction): CatalogEffect {
  switch (action) {
    case 'trash':
      return { kind: 'trashed' };
    case 'restore':
      return { kind: 'restored' };
    case 'delete':
      return { kind: 'removed' };
    case 'archive':
      throw new Error('archive has no provider-neutral meaning: the provider adapter answers it');
  }
}
