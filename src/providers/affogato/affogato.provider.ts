/**
 * Affogato adapter. Assumptions about the API live here:
 * - the listing's `total` lets pages be fetched concurrently; its order is undocumented, so items can shift
 *   between pages while we page (the sync engine re-passes when fewer distinct ids than `total` were seen);
 * - ids missing from an archive answer were not archived; archiving an archived id is harmless.
 */
import { z } from 'zod';
import { ProviderError } from '../../errors.ts';
import { standardCatalogEffect, standardEffectSeen } from '../action-effects.ts';
import type { ActionResult, AssetAction, AssetProvider, ListingContext, ListingPage, LookupResult } from '../provider.ts';
import { AFFOGATO_MAX_PAGE_SIZE, type AffogatoClient } from './affogato.client.ts';
import { transformAffogatoAsset } from './affogato.transform.ts';
import { inArrivalOrder } from '../../util/arrival-order.ts';

export const AFFOGATO_ARCHIVE_BATCH = 50;
/** Affogato's status of an archived asset (its own word, kept verbatim in the catalog) */
export const AFFOGATO_ARCHIVED_STATUS = 'archive';

/** A committed page records the listing's total and the page size it was cut with. */
const progressSchema = z.object({ total: z.number(), pageSize: z.number() });

/** The total to page up to, trusted only when the pages were cut the same way as now: else page 1 is asked again. */
function resumedTotal(progress: Record<string, unknown>, pageSize: number): number | undefined {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success && parsed.data.pageSize === pageSize ? parsed.data.total : undefined;
}

export interface AffogatoProviderOptions {
  pageSize?: number;
  concurrency?: number;
}

export function createAffogatoProvider(client: AffogatoClient, options: AffogatoProviderOptions = {}): AssetProvider {
  const pageSize = Math.min(options.pageSize ?? AFFOGATO_MAX_PAGE_SIZE, AFFOGATO_MAX_PAGE_SIZE);
  const concurrency = options.concurrency ?? 8;

  async function fetchPage(page: number): Promise<ListingPage> {
    const { items, total } = await client.listAssets(page, pageSize);
    return { key: String(page), items: items.map(transformAffogatoAsset), progress: { pageSize, total }, total };
  }

  async function* list(context: ListingContext): AsyncIterable<ListingPage> {
    let total = resumedTotal(context.progress, pageSize);
    if (total === undefined) {
      const first = await fetchPage(1);
      total = first.total ?? 0;
      if (!context.committedPageKeys.has(first.key)) yield first;
    }
    const lastPage = Math.ceil(total / pageSize);
    const pending: number[] = [];
    for (let page = 2; page <= lastPage; page += 1) if (!context.committedPageKeys.has(String(page))) pending.push(page);
    yield* inArrivalOrder(pending, concurrency, fetchPage);
  }

  async function lookup(assetId: string): Promise<LookupResult> {
    try {
      return { state: 'present', item: transformAffogatoAsset(await client.getAsset(assetId)) };
    } catch (error) {
      if (error instanceof ProviderError && error.kind === 'not_found') return { state: 'gone' };
      throw error;
    }
  }

  async function perform(action: AssetAction, assetIds: string[]): Promise<ActionResult> {
    if (action !== 'archive') throw new Error(`affogato does not support "${action}"`);
    const answered = await client.archive(assetIds);
    const archived = new Set(
      answered.flatMap((item) => {
        const { id, status } = (item ?? {}) as { id?: unknown; status?: unknown };
        return typeof id === 'string' && (status === undefined || status === AFFOGATO_ARCHIVED_STATUS) ? [id] : [];
      }),
    );
    return {
      done: assetIds.filter((id) => archived.has(id)),
      gone: [],
      notDone: assetIds.filter((id) => !archived.has(id)),
    };
  }

  return {
    name: 'affogato',
    list,
    lookup,
    supportedActions: ['archive'],
    batchSize: () => AFFOGATO_ARCHIVE_BATCH,
    perform,
    effectSeen: (action, lookup) => {
      if (action !== 'archive' || lookup.state === 'gone') return standardEffectSeen(action, lookup);
      return lookup.item.ok && lookup.item.record.status === AFFOGATO_ARCHIVED_STATUS ? 'applied' : 'not_applied';
    },
    catalogEffect: (action) => (action === 'archive' ? { kind: 'status', status: AFFOGATO_ARCHIVED_STATUS } : standardCatalogEffect(action)),
    listingConcurrency: concurrency,
  };
}
