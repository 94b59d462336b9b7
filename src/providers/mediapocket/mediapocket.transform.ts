/**
 * Media Pocket asset payload (as in GET /api/v2/assets/:id, and each item of the assumed listing) → catalog
 * record. Pure: tested on recorded payloads. `ai_tags` stays in `raw` only (checked, so a broken one is noticed);
 * `deleted` is the time the asset went to the trash bin.
 */
import type { TransformResult } from '../provider.ts';
import { Fields } from '../transform-fields.ts';

const KINDS = new Set(['image', 'video', 'audio', 'article', 'placeholder']);

export function transformMediaPocketAsset(raw: unknown): TransformResult {
  const f = Fields.of(raw);
  if (f === undefined) return { ok: false, reason: 'asset is not a JSON object', assetId: null, raw };
  const assetId = f.requiredId('id');
  if (assetId === undefined) return f.failure();
  const mediaType = f.string('media_type');
  f.stringArray('ai_tags');
  const record = {
    assetId,
    kind: mediaType !== null && KINDS.has(mediaType) ? mediaType : null,
    status: f.string('status'),
    title: f.string('title'),
    description: f.string('description'),
    category: f.string('category'),
    url: null,
    width: null,
    height: null,
    durationSeconds: null,
    frames: null,
    sizeBytes: null,
    tags: f.stringArray('tags'),
    providerCreatedAt: f.timestamp('created_date'),
    providerUpdatedAt: f.timestamp('modification_date'),
    trashedAt: f.timestamp('deleted'),
    raw,
  };
  return f.problem === undefined ? { ok: true, record } : f.failure();
}
