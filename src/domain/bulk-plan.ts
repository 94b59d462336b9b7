/**
 * How a bulk operation is cut into chunk jobs. Pure.
 */
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

/** The item's outcome text; an id the catalog has never seen is still acted on, and says so. */
export function itemOutcome(result: string, inCatalog: boolean): string {
  return inCatalog ? result : `${result},not_in_catalog`;
}
