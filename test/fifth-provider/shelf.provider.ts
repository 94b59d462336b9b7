/** Shelf's adapter: a page-numbered listing, "archive" is its multi-id shelve (status "shelved"), delete per id. */
import { ProviderError } from '../../src/errors.ts';
import { standardCatalogEffect, standardEffectSeen } from '../../src/providers/action-effects.ts';
import type { AssetProvider, CatalogRecord, LookupResult, TransformResult } from '../../src/providers/provider.ts';
import type { ShelfClient } from './shelf.client.ts';

export const SHELF_PAGE_SIZE = 7;
export const SHELF_SHELVE_BATCH = 10;
export const SHELF_SHELVED_STATUS = 'shelved';

export function transformShelfItem(raw: unknown): TransformResult {
  const item = raw as { id?: unknown; kind?: unknown; status?: unknown; created_at?: unknown };
  if (typeof item?.id !== 'string') return { ok: false, reason: 'item has no id', assetId: null, raw };
  const record: CatalogRecord = {
    assetId: item.id,
    kind: typeof item.kind === 'string' ? item.kind : null,
    status: typeof item.status === 'string' ? item.status : null,
    title: null,
    description: null,
    category: null,
    url: null,
    width: null,
    height: null,
    durationSeconds: null,
    frames: null,
    sizeBytes: null,
    tags: null,
    providerCreatedAt: typeof item.created_at === 'string' ? new Date(item.created_at) : null,
    providerUpdatedAt: null,
    trashedAt: null,
    raw,
  };
  return { ok: true, record };
}

const isNotFound = (error: unknown) => error instanceof ProviderError && error.kind === 'not_found';

export function createShelfProvider(client: ShelfClient): AssetProvider {
  return {
    name: 'shelf',
    async *list(context) {
      let total = Infinity;
      for (let page = 1; (page - 1) * SHELF_PAGE_SIZE < total; page += 1) {
        const answer = await client.listItems(page, SHELF_PAGE_SIZE);
        total = answer.total;
        if (context.committedPageKeys.has(String(page))) continue;
        yield { key: String(page), items: answer.items.map(transformShelfItem), progress: { page }, total };
      }
    },
    async lookup(assetId): Promise<LookupResult> {
      try {
        return { state: 'present', item: transformShelfItem(await client.getItem(assetId)) };
      } catch (error) {
        if (isNotFound(error)) return { state: 'gone' };
        throw error;
      }
    },
    supportedActions: ['archive', 'delete'],
    batchSize: (action) => (action === 'archive' ? SHELF_SHELVE_BATCH : 1),
    async perform(action, assetIds) {
      if (action === 'archive') {
        const shelved = new Set(await client.shelve(assetIds));
        return { done: assetIds.filter((id) => shelved.has(id)), gone: [], notDone: assetIds.filter((id) => !shelved.has(id)) };
      }
      if (action !== 'delete') throw new Error(`shelf does not ${action}`);
      const result = { done: [] as string[], gone: [] as string[], notDone: [] as string[] };
      for (const id of assetIds) {
        try {
          await client.deleteItem(id);
          result.done.push(id);
        } catch (error) {
          if (!isNotFound(error)) throw error;
          result.gone.push(id);
        }
      }
      return result;
    },
    effectSeen(action, lookup) {
      if (action !== 'archive' || lookup.state === 'gone') return standardEffectSeen(action, lookup);
      return lookup.item.ok && lookup.item.record.status === SHELF_SHELVED_STATUS ? 'applied' : 'not_applied';
    },
    catalogEffect: (action) => (action === 'archive' ? { kind: 'status', status: SHELF_SHELVED_STATUS } : standardCatalogEffect(action)),
    listingConcurrency: 1,
  };
}
