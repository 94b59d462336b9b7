import type { CatalogRecord } from '../../src/providers/provider.ts';

/** A provider's record of one asset, every field set to a plausible value unless `fields` gives it. */
export function catalogRecord(assetId: string, fields: Partial<CatalogRecord> = {}): CatalogRecord {
  return {
    assetId,
    kind: 'image',
    status: 'active',
    title: `title of ${assetId}`,
    description: null,
    category: null,
    url: `https://cdn.example/${assetId}.png`,
    width: 640,
    height: 480,
    durationSeconds: null,
    frames: null,
    sizeBytes: 123_456,
    tags: ['one', 'two'],
    providerCreatedAt: new Date('2024-12-24T10:11:12.345Z'),
    providerUpdatedAt: null,
    trashedAt: null,
    raw: { id: assetId },
    ...fields,
  };
}
