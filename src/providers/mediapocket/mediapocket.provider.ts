/**
 * Media Pocket adapter. Assumptions about the API live here (see the providers README):
 * - the listing is `GET /api/v2/assets?cursor=&per_page=` (≤ 100) with an opaque `next_cursor`, null at the end;
 *   a cursor is a keyset position, so assets added or removed while we page never shift what comes next;
 * - trashed assets are not listed, and `GET /api/v2/assets/:id` answers them with `deleted` set; 404 is gone;
 * - actions are one asset per call; restoring an asset that is not in the trash answers 400.
 */
import { z } from 'zod';
import { ProviderError } from '../../errors.ts';
import { standardCatalogEffect, standardEffectSeen } from '../action-effects.ts';
import type { Logger } from '../../logger.ts';
import type { ActionResult, AssetAction, AssetProvider, ListingContext, ListingPage, LookupResult } from '../provider.ts';
import { MEDIAPOCKET_MAX_PER_PAGE, type MediaPocketClient } from './mediapocket.client.ts';
import { transformMediaPocketAsset } from './mediapocket.transform.ts';

export interface MediaPocketProviderOptions {
  perPage?: number;
  logger?: Logger;
}

/** What a committed page records, so a resumed run asks for the page after it. */
export interface MediaPocketProgress {
  /** the cursor of the next page; null once the listing has ended */
  cursor: string | null;
  /** pages of this pass so far: page keys stay unique across a resume */
  page: number;
}

const progressSchema: z.ZodType<MediaPocketProgress> = z.object({ cursor: z.string().nullable(), page: z.int().min(1) });

/** The committed position, or undefined when there is none we can trust: the pass then starts afresh. */
function readProgress(progress: Record<string, unknown>): MediaPocketProgress | undefined {
  const parsed = progressSchema.safeParse(progress);
  return parsed.success ? parsed.data : undefined;
}

const isNotFound = (error: unknown) => error instanceof ProviderError && error.kind === 'not_found';

export function createMediaPocketProvider(client: MediaPocketClient, options: MediaPocketProviderOptions = {}): AssetProvider {
  const perPage = Math.max(1, Math.min(options.perPage ?? MEDIAPOCKET_MAX_PER_PAGE, MEDIAPOCKET_MAX_PER_PAGE));

  async function* list(context: ListingContext): AsyncIterable<ListingPage> {
    const resumed = readProgress(context.progress);
    if (resumed !== undefined && resumed.cursor === null) return;
    let page = resumed?.page ?? 0;
    let cursor = resumed?.cursor ?? undefined;
    let storedCursor = cursor !== undefined;
    for (;;) {
      let answer;
      try {
        answer = await client.listAssets(cursor, perPage);
      } catch (error) {
        // A cursor kept from an interrupted run may have expired (the history endpoint answers 422 "Invalid
        // cursor"): page again from the start. The run's seen set survives, so nothing is lost, only re-read.
        if (storedCursor && error instanceof ProviderError && error.status === 422) {
          options.logger?.warn({ page, err: error }, 'the stored listing cursor was refused; listing again from the start');
          storedCursor = false;
          cursor = undefined;
          continue;
        }
        throw error;
      }
      storedCursor = false;
      page += 1;
      const progress: MediaPocketProgress = { cursor: answer.nextCursor, page };
      yield { key: String(page), items: answer.assets.map(transformMediaPocketAsset), progress: { ...progress } };
      if (answer.nextCursor === null) return;
      cursor = answer.nextCursor;
    }
  }

  async function lookup(assetId: string): Promise<LookupResult> {
    let raw: unknown;
    try {
      raw = await client.getAsset(assetId);
    } catch (error) {
      if (isNotFound(error)) return { state: 'gone' };
      throw error;
    }
    const item = transformMediaPocketAsset(raw);
    // an unreadable payload still proves the asset exists: it is quarantined and kept, never marked removed
    if (item.ok && item.record.trashedAt !== null) return { state: 'trashed', item, trashedAt: item.record.trashedAt };
    return { state: 'present', item };
  }

  async function performOne(action: AssetAction, assetId: string): Promise<'done' | 'gone'> {
    try {
      switch (action) {
        case 'trash':
          await client.trash(assetId);
          break;
        case 'restore':
          await client.restore(assetId);
          break;
        case 'delete':
          await client.deleteAsset(assetId);
          break;
        case 'archive':
          throw new Error('mediapocket does not support "archive"');
      }
      return 'done';
    } catch (error) {
      if (isNotFound(error)) return 'gone';
      // "Can not restore Assets that is not in trash bin": the asset is out of the trash, which is what was asked
      if (action === 'restore' && error instanceof ProviderError && error.status === 400) return 'done';
      throw error;
    }
  }

  async function perform(action: AssetAction, assetIds: string[]): Promise<ActionResult> {
    const result: ActionResult = { done: [], gone: [], notDone: [] };
    for (const assetId of assetIds) result[await performOne(action, assetId)].push(assetId);
    return result;
  }

  return {
    name: 'mediapocket',
    list,
    lookup,
    supportedActions: ['trash', 'restore', 'delete'],
    batchSize: () => 1,
    perform,
    effectSeen: standardEffectSeen,
    catalogEffect: standardCatalogEffect,
    listingConcurrency: 1,
  };
}
