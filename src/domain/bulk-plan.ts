/**
 * How a bulk operation is cut into chunk jobs, and how the provider's state of an item whose call may or may not
 * have happened is read (by a resumed bulk chunk, and by retention before it records an action). Pure.
 */
import type { AssetAction, LookupResult } from '../providers/provider.ts';
import type { BulkAction } from './bulk-request.ts';

/** Provider calls per chunk job: small enough that a retried or resumed chunk repeats little. */
const CALLS_PER_CHUNK = 5;
/** Items per chunk for per-asset endpoints and DAG runs. */
const PER_ASSET_CHUNK = 20;

export function chunkSizeFor(action: BulkAction, batchSize: number): number {
  if (action === 'dag' || batchSize <= 1) return PER_ASSET_CHUNK;
  return batchSize * CALLS_PER_CHUNK;
}

export interface PlannedItem {
  position: number;
  chunk: number;
  assetId: string;
  /** a repeated id is recorded (so the counts add up to the input) but acted on once, by its first occurrence */
  duplicate: boolean;
}

/** Items in input order; a duplicate sits in its first occurrence's chunk and does not count towards chunk sizes. */
export function planItems(ids: readonly string[], chunkSize: number): { items: PlannedItem[]; chunks: number } {
  const chunkOf = new Map<string, number>();
  const items: PlannedItem[] = [];
  ids.forEach((assetId, position) => {
    const first = chunkOf.get(assetId);
    if (first !== undefined) {
      items.push({ position, chunk: first, assetId, duplicate: true });
      return;
    }
    const chunk = Math.floor(chunkOf.size / chunkSize);
    chunkOf.set(assetId, chunk);
    items.push({ position, chunk, assetId, duplicate: false });
  });
  return { items, chunks: Math.ceil(chunkOf.size / chunkSize) };
}

export type ObservedEffect = 'applied' | 'gone' | 'not_applied';

/**
 * Did an action that was (perhaps) sent take effect? Read from the detail endpoint. An archived asset has status
 * "archive" (Affogato's); a delete is "applied" once the asset is gone, since an already gone asset needs nothing
 * more either way.
 */
export function observedEffect(action: AssetAction, lookup: LookupResult): ObservedEffect {
  if (lookup.state === 'gone') return action === 'delete' ? 'applied' : 'gone';
  switch (action) {
    case 'archive':
      return lookup.item.ok && lookup.item.record.status === 'archive' ? 'applied' : 'not_applied';
    case 'trash':
      return lookup.state === 'trashed' ? 'applied' : 'not_applied';
    case 'restore':
      return lookup.state === 'present' ? 'applied' : 'not_applied';
    case 'delete':
      return 'not_applied';
  }
}

/** The item's outcome text; an id the catalog has never seen is still acted on, and says so. */
export function itemOutcome(result: string, inCatalog: boolean): string {
  return inCatalog ? result : `${result},not_in_catalog`;
}
