import pMap from 'p-map';

/**
 * Maps `items` through `fn` with at most `limit` calls in flight; results keep the input order. Kept for the
 * retention verifier until the action engine replaces it: new code calls p-map directly.
 */
export function mapWithConcurrency<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  return pMap(items, fn, { concurrency: Math.max(1, limit) });
}

export function chunk<T>(items: readonly T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let i = 0; i < items.length; i += size) chunks.push(items.slice(i, i + size));
  return chunks;
}
