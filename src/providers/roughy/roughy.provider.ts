/**
 * Roughy adapter. Assumptions about the API live here and in roughy.listing.ts (the drift-proof walk):
 * - `GET /v1/assets?limit=1..100&offset=N` → `{items, total, limit, offset}`, newest first by `created_at`;
 * - `GET /v1/assets/{id}` 404 (`not_found`/`gone`) means the asset is gone; `DELETE` answers 204, 404 if gone;
 * - `total` counts the assets listed right now, so a run that ends having seen fewer distinct ids than the last
 *   page's total has missed some: the engine then pages again (a safety net under the walk's own guarantees);
 *   and one that saw more has listed assets that were deleted afterwards (see `suspects`).
 */
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { ProviderError } from '../../errors.ts';
import { standardCatalogEffect, standardEffectSeen } from '../action-effects.ts';
import type { ActionResult, AssetAction, AssetProvider, ListingContext, ListingPage, LookupResult, SuspectContext } from '../provider.ts';
import { ROUGHY_MAX_LIMIT, type RoughyClient } from './roughy.client.ts';
import { INITIAL_ROUGHY_STATE, walkRoughyListing, type RoughyListingState } from './roughy.listing.ts';
import { transformRoughyAsset } from './roughy.transform.ts';

export interface RoughyProviderOptions {
  limit?: number;
  maxHeadRounds?: number;
}

/** The walk's state plus the records without an id seen in this pass (they can never count as seen). */
interface RoughyProgress extends RoughyListingState {
  idless: string[];
}

const progressSchema: z.ZodType<RoughyProgress, unknown> = z.object({
  phase: z.enum(['main', 'head', 'done']),
  offset: z.number(),
  // extra fields of a stored anchor travel along, as they always did
  anchor: z.looseObject({ id: z.string(), at: z.number() }).nullable(),
  round: z.number(),
  roundFoundNew: z.boolean(),
  seq: z.number(),
  // the hashes are a convenience: a missing or damaged list is an empty one, not a reason to start over
  idless: z.unknown().transform((value) => (Array.isArray(value) ? value.filter((hash): hash is string => typeof hash === 'string') : [])),
});

/** The committed walk, or undefined when there is none we can trust: the pass then starts afresh. */
function readProgress(progress: Record<string, unknown>): RoughyProgress | undefined {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success ? parsed.data : undefined;
}

const isNotFound = (error: unknown) => error instanceof ProviderError && error.kind === 'not_found';

export function createRoughyProvider(client: RoughyClient, options: RoughyProviderOptions = {}): AssetProvider {
  const limit = Math.max(2, Math.min(options.limit ?? ROUGHY_MAX_LIMIT, ROUGHY_MAX_LIMIT));

  async function* list(context: ListingContext): AsyncIterable<ListingPage> {
    const resumed = readProgress(context.progress);
    const { idless: resumedIdless, ...start } = resumed ?? { ...INITIAL_ROUGHY_STATE, idless: [] };
    const idless = new Set(resumedIdless);
    const steps = walkRoughyListing(start, {
      fetchPage: (offset, size) => client.listAssets(offset, size),
      limit,
      isSeen: (id) => context.seenIds.has(id),
      maxHeadRounds: options.maxHeadRounds,
    });
    for await (const step of steps) {
      const items = step.items.map(transformRoughyAsset);
      for (const item of items) {
        if (!item.ok && item.assetId === null) idless.add(createHash('sha256').update(JSON.stringify(item.raw) ?? '').digest('hex').slice(0, 16));
      }
      yield {
        key: String(step.state.seq),
        items,
        progress: { ...step.state, idless: [...idless] },
        // records without an id are in the provider's count but can never be in our seen set
        total: step.total === undefined ? undefined : Math.max(0, step.total - idless.size),
      };
    }
  }

  /**
   * An asset deleted after the walk passed it was stored as seen, so the engine would never check it. When the
   * listing's count now differs from what the run saw, one more walk tells which listed ids are no longer there;
   * the engine confirms each with the detail endpoint. Costs one request when nothing changed meanwhile.
   */
  async function suspects(context: SuspectContext): Promise<string[]> {
    const idless = readProgress(context.progress)?.idless.length ?? 0;
    const { total } = await client.listAssets(0, 1);
    // equal counts: nothing listed has gone (one deletion and one creation since the last head read would cancel
    // out here; the next sync settles both)
    if (total === undefined || total - idless === context.seenIds.size) return [];
    const present = new Set<string>();
    const steps = walkRoughyListing(INITIAL_ROUGHY_STATE, {
      fetchPage: (offset, size) => client.listAssets(offset, size),
      limit,
      isSeen: (id) => context.seenIds.has(id),
      maxHeadRounds: options.maxHeadRounds,
    });
    for await (const step of steps) {
      context.signal.throwIfAborted();
      for (const item of step.items) {
        const id = (item as { id?: unknown } | null)?.id;
        if (typeof id === 'string') present.add(id);
      }
    }
    return [...context.seenIds].filter((id) => !present.has(id));
  }

  async function lookup(assetId: string): Promise<LookupResult> {
    try {
      return { state: 'present', item: transformRoughyAsset(await client.getAsset(assetId)) };
    } catch (error) {
      if (isNotFound(error)) return { state: 'gone' };
      throw error;
    }
  }

  async function perform(action: AssetAction, assetIds: string[]): Promise<ActionResult> {
    if (action !== 'delete') throw new Error(`roughy does not support "${action}"`);
    const result: ActionResult = { done: [], gone: [], notDone: [] };
    for (const assetId of assetIds) {
      try {
        await client.deleteAsset(assetId);
        result.done.push(assetId);
      } catch (error) {
        if (!isNotFound(error)) throw error;
        result.gone.push(assetId);
      }
    }
    return result;
  }

  return {
    name: 'roughy',
    list,
    lookup,
    suspects,
    supportedActions: ['delete'],
    batchSize: () => 1,
    perform,
    effectSeen: standardEffectSeen,
    catalogEffect: standardCatalogEffect,
    listingConcurrency: 1,
  };
}
