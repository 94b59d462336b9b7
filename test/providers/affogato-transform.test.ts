import { describe, expect, it } from 'vitest';
import { readAffogatoEnvelope } from '../../src/providers/affogato/affogato.client.ts';
import { transformAffogatoAsset } from '../../src/providers/affogato/affogato.transform.ts';

// recorded from the v2 reference: a video with size, duration and frames
const video = {
  id: 'ast_01HZX3',
  type: 'video',
  status: 'active',
  url: 'https://cdn.example/ast_01HZX3.mp4',
  size: { width: 1920, height: 1080 },
  duration: 30,
  frames: 720,
};

describe('transformAffogatoAsset', () => {
  it('maps every v2 field and keeps the payload verbatim in raw', () => {
    const result = transformAffogatoAsset(video);
    expect(result).toEqual({
      ok: true,
      record: expect.objectContaining({
        assetId: 'ast_01HZX3',
        kind: 'video',
        status: 'active',
        url: 'https://cdn.example/ast_01HZX3.mp4',
        width: 1920,
        height: 1080,
        durationSeconds: '30',
        frames: 720,
        providerCreatedAt: null,
        tags: null,
        raw: video,
      }),
    });
  });

  it('keeps an unknown status verbatim and an unknown type as a null kind', () => {
    const result = transformAffogatoAsset({ id: 'ast_2', type: 'hologram', status: 'quarantined-by-provider' });
    expect(result.ok && result.record.status).toBe('quarantined-by-provider');
    expect(result.ok && result.record.kind).toBeNull();
  });

  it('rejects a record without an id, naming the field', () => {
    expect(transformAffogatoAsset({ type: 'image' })).toMatchObject({ ok: false, reason: 'missing "id"', assetId: null });
  });

  it('rejects a field of the wrong type, naming it, and keeps the id for the quarantine', () => {
    expect(transformAffogatoAsset({ ...video, size: { width: 'wide', height: 1 } })).toMatchObject({
      ok: false,
      assetId: 'ast_01HZX3',
      reason: expect.stringContaining('"size.width"'),
    });
    expect(transformAffogatoAsset({ ...video, frames: '720' })).toMatchObject({ ok: false, reason: expect.stringContaining('"frames"') });
  });

  it('rejects something that is not an object', () => {
    expect(transformAffogatoAsset('ast_1')).toMatchObject({ ok: false, reason: 'asset is not a JSON object' });
  });
});

describe('readAffogatoEnvelope', () => {
  it('accepts a success with an empty err', () => {
    expect(readAffogatoEnvelope(200, { data: [], err: {} })).toBeUndefined();
  });

  it('treats a non-empty err in a 200 body as a failure', () => {
    expect(readAffogatoEnvelope(200, { data: null, err: { code: 'oops', message: 'internal' } })).toEqual({
      kind: 'retryable',
      message: 'error in a 200 body: oops: internal',
      code: 'oops',
    });
  });

  it('classifies error statuses', () => {
    expect(readAffogatoEnvelope(404, { data: null, err: { code: 'not_found' } })?.kind).toBe('not_found');
    expect(readAffogatoEnvelope(401, { err: {} })?.kind).toBe('auth');
    expect(readAffogatoEnvelope(429, { err: {} })?.kind).toBe('rate_limited');
    expect(readAffogatoEnvelope(503, {})?.kind).toBe('retryable');
    expect(readAffogatoEnvelope(422, { err: { message: 'page_size' } })?.kind).toBe('permanent');
  });
});
