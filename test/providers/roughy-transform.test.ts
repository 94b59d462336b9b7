import { describe, expect, it } from 'vitest';
import { readRoughyEnvelope, roughyCodeKind } from '../../src/providers/roughy/roughy.client.ts';
import { transformRoughyAsset } from '../../src/providers/roughy/roughy.transform.ts';

// An item of GET /v1/assets, with the fields of Roughy's public docs
const LIST_ITEM = {
  id: '3f1c2a9e-8b7d-4c6e-9f10-2a3b4c5d6e7f',
  project_id: '9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d',
  type: 'video',
  state: 'ready',
  extension: 'mp4',
  size_bytes: 1_234_567_890,
  content_type: 'video/mp4',
  duration_seconds: '5432.109',
  language: 'en',
  created_at: '2025-03-14T15:09:26.535Z',
};

describe('Roughy transform', () => {
  it('maps a list item: state → status, type → kind, decimal-string duration kept exactly', () => {
    expect(transformRoughyAsset(LIST_ITEM)).toEqual({
      ok: true,
      record: {
        assetId: LIST_ITEM.id,
        kind: 'video',
        status: 'ready',
        title: null,
        description: null,
        category: null,
        url: null,
        width: null,
        height: null,
        durationSeconds: '5432.109',
        frames: null,
        sizeBytes: 1_234_567_890,
        tags: null,
        providerCreatedAt: new Date('2025-03-14T15:09:26.535Z'),
        providerUpdatedAt: null,
        trashedAt: null,
        raw: LIST_ITEM,
      },
    });
  });

  it('never keeps a signed URL: upload_url and download_url are stripped from the detail payload', () => {
    const detail = {
      ...LIST_ITEM,
      error_code: null,
      error_message: null,
      upload_url: 'https://upload.roughy.invalid/files/x',
      download_url: 'https://cdn.roughy.invalid/assets/x/original.mp4?expires=1&signature=abc',
    };
    const result = transformRoughyAsset(detail);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.record.raw).toEqual({ ...LIST_ITEM, error_code: null, error_message: null });
    expect(JSON.stringify(result.record)).not.toContain('signature');
    expect(result.record.url).toBeNull();
  });

  it('leaves a null type without a kind, and pending uploads without size or duration', () => {
    const result = transformRoughyAsset({ ...LIST_ITEM, type: null, state: 'pending_upload', size_bytes: null, duration_seconds: null });
    expect(result).toMatchObject({ ok: true, record: { kind: null, status: 'pending_upload', sizeBytes: null, durationSeconds: null } });
  });

  it('quarantines wrong types with a reason naming the field, and records without an id', () => {
    const badDuration = { ...LIST_ITEM, duration_seconds: 'long' };
    expect(transformRoughyAsset(badDuration)).toEqual({
      ok: false,
      reason: 'field "duration_seconds" should be a decimal number, got "long"',
      assetId: LIST_ITEM.id,
      raw: badDuration,
    });
    expect(transformRoughyAsset({ ...LIST_ITEM, size_bytes: '12 GB' })).toMatchObject({ ok: false, reason: expect.stringContaining('"size_bytes"') });
    expect(transformRoughyAsset({ ...LIST_ITEM, size_bytes: 1.5 })).toMatchObject({ ok: false, reason: expect.stringContaining('"size_bytes"') });
    const { id: _id, ...noId } = LIST_ITEM;
    expect(transformRoughyAsset(noId)).toEqual({ ok: false, reason: 'missing "id"', assetId: null, raw: noId });
    // a quarantined detail payload is stored without its signed URLs too
    const stripped = transformRoughyAsset({ ...noId, download_url: 'https://cdn/x?signature=s' });
    expect(stripped).toMatchObject({ ok: false, raw: noId });
  });
});

describe('Roughy error envelope', () => {
  it('classifies by code, never by message or status alone', () => {
    const table: Record<string, string> = {
      rate_limited: 'rate_limited',
      not_found: 'not_found',
      gone: 'not_found',
      unauthenticated: 'auth',
      forbidden: 'auth',
      account_locked: 'auth',
      internal_error: 'retryable',
      upstream_error: 'retryable',
      upstream_unavailable: 'retryable',
      validation_error: 'permanent',
      bad_request: 'permanent',
      conflict: 'permanent',
      insufficient_credits: 'permanent',
      asset_processing: 'permanent',
    };
    for (const [code, kind] of Object.entries(table)) expect([code, roughyCodeKind(code)]).toEqual([code, kind]);
    // the code wins over the status line
    expect(readRoughyEnvelope(400, { error: { code: 'upstream_unavailable', message: 'try later' } })).toEqual({
      kind: 'retryable',
      message: 'upstream_unavailable: try later',
      code: 'upstream_unavailable',
    });
    expect(readRoughyEnvelope(404, { error: { code: 'not_found', message: 'Asset not found.' } })?.kind).toBe('not_found');
  });

  it('reads success bodies as success, and falls back to the status without a code', () => {
    expect(readRoughyEnvelope(200, { items: [], total: 0, limit: 100, offset: 0 })).toBeUndefined();
    expect(readRoughyEnvelope(204, undefined)).toBeUndefined();
    expect(readRoughyEnvelope(503, { message: 'Service Unavailable' })).toEqual({ kind: 'retryable', message: 'error' });
    expect(readRoughyEnvelope(401, {})?.kind).toBe('auth');
  });
});
