/**
 * Affogato v2 asset payload → catalog record. Pure: tested on recorded payloads.
 * v2 assets are flat: id, type, status, url, size{width,height}, duration, frames. No timestamps, no tags.
 */
import type { TransformResult } from '../provider.ts';
import { Fields } from '../transform-fields.ts';

const KINDS = new Set(['image', 'video', 'audio']);

export function transformAffogatoAsset(raw: unknown): TransformResult {
  const f = Fields.of(raw);
  if (f === undefined) return { ok: false, reason: 'asset is not a JSON object', assetId: null, raw };
  const assetId = f.requiredId('id');
  if (assetId === undefined) return f.failure();
  const size = f.object('size');
  const type = f.string('type');
  const record = {
    assetId,
    kind: type !== null && KINDS.has(type) ? type : null,
    status: f.string('status'),
    title: null,
    description: null,
    category: null,
    url: f.string('url'),
    width: size?.integer('width') ?? null,
    height: size?.integer('height') ?? null,
    durationSeconds: f.decimal('duration'),
    frames: f.integer('frames'),
    sizeBytes: null,
    tags: null,
    providerCreatedAt: null,
    providerUpdatedAt: null,
    trashedAt: null,
    raw,
  };
  return f.problem === undefined && size?.problem === undefined ? { ok: true, record } : f.failure(size);
}
