/**
 * Roughy asset payload (list item, or the detail of GET /v1/assets/{id}) → catalog record. Pure: tested on
 * recorded payloads. Signed URLs (`upload_url`, `download_url`) expire within minutes and change on every read:
 * they are never stored, not even in `raw`.
 */
import type { TransformResult } from '../provider.ts';
import { Fields } from '../transform-fields.ts';

const KINDS = new Set(['audio', 'video']);
const VOLATILE = ['upload_url', 'download_url'];

/** The payload minus its signed URLs. */
export function durableRoughyPayload(raw: unknown): unknown {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return raw;
  if (!VOLATILE.some((name) => name in raw)) return raw;
  return Object.fromEntries(Object.entries(raw).filter(([name]) => !VOLATILE.includes(name)));
}

export function transformRoughyAsset(payload: unknown): TransformResult {
  const raw = durableRoughyPayload(payload);
  const f = Fields.of(raw);
  if (f === undefined) return { ok: false, reason: 'asset is not a JSON object', assetId: null, raw };
  const assetId = f.requiredId('id');
  if (assetId === undefined) return f.failure();
  const type = f.string('type');
  const record = {
    assetId,
    kind: type !== null && KINDS.has(type) ? type : null,
    status: f.string('state'),
    title: null,
    description: null,
    category: null,
    url: null,
    width: null,
    height: null,
    durationSeconds: f.decimal('duration_seconds'),
    frames: null,
    sizeBytes: f.integer('size_bytes'),
    tags: null,
    providerCreatedAt: f.timestamp('created_at'),
    providerUpdatedAt: null,
    trashedAt: null,
    raw,
  };
  return f.problem === undefined ? { ok: true, record } : f.failure();
}
