/**
 * A provider whose listing is replayed from memory: the real listing is read once, beforehand, and its pages
 * are handed to the sync again without HTTP. Timing a sync through it measures the write path alone (COPY
 * encoding and the page transactions), the part of the sync that the raw COPY figure is a ceiling for.
 */
import type { AssetProvider, ListingPage } from '../src/providers/provider.ts';

export async function replayedListing(provider: AssetProvider): Promise<AssetProvider> {
  const pages: ListingPage[] = [];
  const context = { progress: {}, committedPageKeys: new Set<string>(), seenIds: new Set<string>(), signal: new AbortController().signal };
  for await (const page of provider.list(context)) pages.push(page);
  return {
    ...provider,
    async *list(listing) {
      for (const page of pages) if (!listing.committedPageKeys.has(page.key)) yield page;
    },
  };
}
