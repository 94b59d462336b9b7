import { describe, expect, it } from 'vitest';
import { readMediaPocketEnvelope } from '../../src/providers/mediapocket/mediapocket.client.ts';
import { mediaPocketDagPhase, toDagRunSnapshot } from '../../src/providers/mediapocket/mediapocket-dag.provider.ts';
import { transformMediaPocketAsset } from '../../src/providers/mediapocket/mediapocket.transform.ts';

// GET /api/v2/assets/rSkRlq2Aiw4wJvjvlqSm, as in the reference (mediapocket-assets-v2.txt)
const REFERENCE_ASSET = {
  id: 'rSkRlq2Aiw4wJvjvlqSm',
  external_id: null,
  parent_id: null,
  project_id: null,
  owner: 'admin-user-51@example.com',
  title: 'Sample Asset',
  description: 'Sample asset description.',
  category: 'test asset category',
  tags: ['test', 'tag'],
  ai_tags: [],
  status: 'open',
  media_type: 'placeholder',
  original_filename: null,
  drop_folder_id: null,
  md5_sum: null,
  created_date: '2023-11-27T09:42:48.046Z',
  modification_date: '2023-11-27T09:42:48.046Z',
  deleted: null,
};

describe('Media Pocket transform', () => {
  it('maps the reference asset field by field and keeps the payload as raw', () => {
    expect(transformMediaPocketAsset(REFERENCE_ASSET)).toEqual({
      ok: true,
      record: {
        assetId: 'rSkRlq2Aiw4wJvjvlqSm',
        kind: 'placeholder',
        status: 'open',
        title: 'Sample Asset',
        description: 'Sample asset description.',
        category: 'test asset category',
        url: null,
        width: null,
        height: null,
        durationSeconds: null,
        frames: null,
        sizeBytes: null,
        tags: ['test', 'tag'],
        providerCreatedAt: new Date('2023-11-27T09:42:48.046Z'),
        providerUpdatedAt: new Date('2023-11-27T09:42:48.046Z'),
        trashedAt: null,
        raw: REFERENCE_ASSET,
      },
    });
  });

  it('sets trashedAt from `deleted`, and leaves an unknown media type without a kind', () => {
    const result = transformMediaPocketAsset({ ...REFERENCE_ASSET, media_type: 'collection', deleted: '2024-02-01T10:00:00.000Z' });
    expect(result.ok && result.record.trashedAt).toEqual(new Date('2024-02-01T10:00:00.000Z'));
    expect(result.ok && result.record.kind).toBeNull();
  });

  it('quarantines a field of the wrong type, naming the field, with the id and the raw payload', () => {
    const raw = { ...REFERENCE_ASSET, tags: 'test,tag' };
    expect(transformMediaPocketAsset(raw)).toEqual({
      ok: false,
      reason: 'field "tags" should be an array of strings, got "test,tag"',
      assetId: 'rSkRlq2Aiw4wJvjvlqSm',
      raw,
    });
    const badAiTags = transformMediaPocketAsset({ ...REFERENCE_ASSET, ai_tags: [1, 2] });
    expect(badAiTags).toMatchObject({ ok: false, reason: expect.stringContaining('"ai_tags"') });
    const badDate = transformMediaPocketAsset({ ...REFERENCE_ASSET, modification_date: 'yesterday' });
    expect(badDate).toMatchObject({ ok: false, reason: expect.stringContaining('"modification_date"') });
  });

  it('quarantines a record without a usable id, and anything that is not an object', () => {
    const { id: _id, ...noId } = REFERENCE_ASSET;
    expect(transformMediaPocketAsset(noId)).toEqual({ ok: false, reason: 'missing "id"', assetId: null, raw: noId });
    expect(transformMediaPocketAsset({ ...REFERENCE_ASSET, id: '' })).toMatchObject({ ok: false, assetId: null });
    expect(transformMediaPocketAsset(['x'])).toMatchObject({ ok: false, reason: 'asset is not a JSON object', assetId: null });
  });
});

describe('Media Pocket error envelope', () => {
  it('treats a 2xx body carrying `error` or `errors` as a permanent failure with the provider message', () => {
    expect(readMediaPocketEnvelope(200, { error: 'Project not found.' })).toEqual({
      kind: 'permanent',
      message: 'error in a 200 body: Project not found.',
    });
    // DELETE .../media: the asset comes back, with `errors` beside it
    expect(readMediaPocketEnvelope(200, { asset: REFERENCE_ASSET, errors: { error: 'No media found on this asset.', status: 400 } })).toEqual({
      kind: 'permanent',
      message: 'error in a 200 body: No media found on this asset.',
    });
    expect(readMediaPocketEnvelope(200, { ok: 'ok' })).toBeUndefined();
    expect(readMediaPocketEnvelope(200, { asset: REFERENCE_ASSET, error: null })).toBeUndefined();
    for (const none of [null, '', [], {}]) expect(readMediaPocketEnvelope(200, { ok: 'ok', error: none, errors: none })).toBeUndefined();
    expect(readMediaPocketEnvelope(200, { errors: ['title is too long'] })).toEqual({ kind: 'permanent', message: 'error in a 200 body: ["title is too long"]' });
  });

  it('classifies other failures by status, keeping the message', () => {
    expect(readMediaPocketEnvelope(404, { error: 'asset not found' })).toEqual({ kind: 'not_found', message: 'asset not found' });
    expect(readMediaPocketEnvelope(403, { error: 'Permission denied. Must have ACTIONS_START permissions.' })).toEqual({
      kind: 'auth',
      message: 'Permission denied. Must have ACTIONS_START permissions.',
    });
    expect(readMediaPocketEnvelope(401, { error: 'Unauthorized' })?.kind).toBe('auth');
    expect(readMediaPocketEnvelope(422, { error: 'Invalid cursor' })?.kind).toBe('permanent');
    expect(readMediaPocketEnvelope(400, { error: 'Can not restore Assets that is not in trash bin' })?.kind).toBe('permanent');
    expect(readMediaPocketEnvelope(429, { error: 'Rate limit exceeded' })?.kind).toBe('rate_limited');
    expect(readMediaPocketEnvelope(500, { error: 'Internal Server Error' })?.kind).toBe('retryable');
    expect(readMediaPocketEnvelope(503, undefined)).toEqual({ kind: 'retryable', message: 'error' });
  });
});

describe('Media Pocket DAG runs', () => {
  it('maps the assumed statuses to phases and anything else to unknown', () => {
    for (const status of ['queued', 'pending', 'running']) expect(mediaPocketDagPhase(status)).toBe('running');
    for (const status of ['finished', 'completed', 'succeeded', 'success']) expect(mediaPocketDagPhase(status)).toBe('succeeded');
    for (const status of ['failed', 'error', 'cancelled', 'canceled', 'aborted']) expect(mediaPocketDagPhase(status)).toBe('failed');
    for (const status of ['waiting_for_review', 'RUNNING', '', 'toString', 'constructor']) expect(mediaPocketDagPhase(status)).toBe('unknown');
  });

  it('reads the reference dag_action_run into a snapshot', () => {
    const raw = {
      id: 1,
      status: 'running',
      created_at: '2023-11-27T09:42:45.532Z',
      dag_action: { id: 2, name: 'Sample DAG action 2', description: 'Sample DAG action for tests', category: 'Tests' },
      dag_action_run_messages: [{ id: 1, message: 'Set in queue...', created_at: '2023-11-27T09:42:45.549Z' }],
    };
    expect(toDagRunSnapshot(raw)).toEqual({
      runId: '1',
      status: 'running',
      dagActionId: '2',
      createdAt: new Date('2023-11-27T09:42:45.532Z'),
      messages: raw.dag_action_run_messages,
      raw,
    });
    expect(toDagRunSnapshot({ status: 'running' })).toBeUndefined();
    expect(toDagRunSnapshot({ id: 3, status: 7 })).toBeUndefined();
    expect(toDagRunSnapshot({ id: 3, status: 'queued', created_at: 'soon' })).toMatchObject({ runId: '3', dagActionId: undefined, createdAt: null, messages: [] });
  });
});
