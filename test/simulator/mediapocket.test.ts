import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type MediaPocketAsset, type Simulator } from '../../src/simulator/simulator.ts';
import { call, obj } from './sim-client.helper.ts';

async function listAll(sim: Simulator, perPage: number, onPage?: (page: number) => void): Promise<string[]> {
  const ids: string[] = [];
  let cursor: string | null = null;
  let page = 0;
  do {
    const query: string = cursor === null ? `per_page=${perPage}` : `per_page=${perPage}&cursor=${cursor}`;
    const answer = await call(sim, 'mediapocket', 'GET', `/api/v2/assets?${query}`);
    expect(answer.status).toBe(200);
    const body = obj(answer.json);
    ids.push(...(body.assets as MediaPocketAsset[]).map((asset) => asset.id));
    cursor = body.next_cursor as string | null;
    page += 1;
    onPage?.(page);
  } while (cursor !== null);
  return ids;
}

describe('simulated Media Pocket', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ seed: 11, counts: { mediapocket: 260 } });
  });
  afterEach(() => sim.close());

  it('lists with an opaque cursor until next_cursor is null, every asset once', async () => {
    const ids = await listAll(sim, 100);
    expect(ids).toHaveLength(260);
    expect(new Set(ids).size).toBe(260);
    expect(ids).toEqual(sim.mediapocket.ids());
    const first = obj((await call(sim, 'mediapocket', 'GET', '/api/v2/assets')).json);
    expect(first.assets).toHaveLength(25);
    expect(first.next_cursor).toMatch(/^[A-Za-z0-9_-]+$/);
  });

  it('serves assets with exactly the reference fields', async () => {
    const body = obj((await call(sim, 'mediapocket', 'GET', '/api/v2/assets?per_page=100')).json);
    const fields = [
      'id', 'external_id', 'parent_id', 'project_id', 'owner', 'title', 'description', 'category', 'tags', 'ai_tags',
      'status', 'media_type', 'original_filename', 'drop_folder_id', 'md5_sum', 'created_date', 'modification_date',
      'deleted',
    ];
    for (const asset of body.assets as MediaPocketAsset[]) {
      expect(Object.keys(asset).sort()).toEqual([...fields].sort());
      expect(asset.id).toMatch(/^[A-Za-z0-9_-]{20}$/);
      expect(Date.parse(asset.modification_date)).toBeGreaterThanOrEqual(Date.parse(asset.created_date));
      expect(asset.deleted).toBeNull();
      for (const tag of asset.tags) expect(tag).toBe(tag.toLowerCase());
      if (asset.category !== null) expect(asset.category).toBe(asset.category.toLowerCase());
      expect(['image', 'video', 'audio', 'article', 'placeholder']).toContain(asset.media_type);
    }
    const all = sim.mediapocket.all();
    expect(all.filter((asset) => asset.status === 'open').length).toBeGreaterThan(all.length / 2);
    expect(all.some((asset) => asset.category === 'sample' && asset.tags.includes('campaign-2023'))).toBe(true);
  });

  it('keeps its cursor stable when assets are added and removed while paging', async () => {
    const before = sim.mediapocket.ids();
    const removedLater = before[250] as string;
    const removedEarlier = before[5] as string;
    let added: string | undefined;
    const ids = await listAll(sim, 50, (page) => {
      if (page === 1) {
        sim.mediapocket.remove(removedEarlier);
        sim.mediapocket.remove(removedLater);
        added = sim.mediapocket.add().id;
      }
    });
    const expected = before.filter((id) => id !== removedLater);
    expect(ids.filter((id) => id !== added)).toEqual(expected);
    expect(ids).toContain(added);
  });

  it('rejects a bad cursor and an out-of-range per_page with 422 {"error"}', async () => {
    const bad = await call(sim, 'mediapocket', 'GET', '/api/v2/assets?cursor=test');
    expect(bad.status).toBe(422);
    expect(obj(bad.json).error).toBe('Invalid parameter \'cursor\' value "test": Invalid cursor');
    for (const perPage of ['0', '101', 'x']) {
      const answer = await call(sim, 'mediapocket', 'GET', `/api/v2/assets?per_page=${perPage}`);
      expect(answer.status).toBe(422);
      expect(obj(answer.json).error).toMatch(/per_page/);
    }
  });

  it('trashes: not listed, detail shows deleted, restore brings it back, restore of a live asset is 400', async () => {
    const id = sim.mediapocket.ids()[3] as string;
    const notTrashed = await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${id}/restore`);
    expect(notTrashed.status).toBe(400);
    expect(obj(notTrashed.json)).toEqual({ error: 'Can not restore Assets that is not in trash bin' });

    const trash = await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${id}/trash_bin`);
    expect(trash.status).toBe(200);
    expect(obj(trash.json)).toEqual({ ok: 'ok' });
    expect(sim.mediapocket.isTrashed(id)).toBe(true);
    expect(await listAll(sim, 100)).not.toContain(id);
    const detail = obj((await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${id}`)).json);
    expect(detail.asset.id).toBe(id);
    expect(Date.parse(detail.asset.deleted as string)).toBeGreaterThan(Date.now() - 60_000);
    expect(sim.mediapocket.allTrashed().map((asset) => asset.id)).toEqual([id]);

    const restore = await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${id}/restore`);
    expect(obj(restore.json)).toEqual({ ok: 'ok' });
    expect(await listAll(sim, 100)).toContain(id);
    expect(obj((await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${id}`)).json).asset.deleted).toBeNull();
  });

  it('deletes permanently (trashed or not): 404 afterwards everywhere', async () => {
    const [live, trashed] = sim.mediapocket.ids() as [string, string];
    sim.mediapocket.trash(trashed);
    for (const id of [live, trashed]) {
      const answer = await call(sim, 'mediapocket', 'DELETE', `/api/v2/assets/${id}`);
      expect(obj(answer.json)).toEqual({ ok: 'ok' });
      const detail = await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${id}`);
      expect(detail.status).toBe(404);
      expect(obj(detail.json)).toEqual({ error: 'asset not found' });
      for (const action of ['trash_bin', 'restore']) {
        expect((await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${id}/${action}`)).status).toBe(404);
      }
      expect((await call(sim, 'mediapocket', 'DELETE', `/api/v2/assets/${id}`)).status).toBe(404);
    }
    expect(sim.mediapocket.size()).toBe(258);
    expect(sim.mediapocket.allTrashed()).toEqual([]);
  });

  it('purges trash older than 14 days as the provider would', () => {
    const [old, recent] = sim.mediapocket.ids() as [string, string];
    sim.mediapocket.trash(old, new Date(Date.now() - 15 * 86_400_000));
    sim.mediapocket.trash(recent);
    expect(sim.mediapocket.purgeTrash()).toEqual([old]);
    expect(sim.mediapocket.get(old)).toBeUndefined();
    expect(sim.mediapocket.isTrashed(recent)).toBe(true);
  });

  it('updates through PUT with lowercased category and tags, and bumps modification_date', async () => {
    const id = sim.mediapocket.ids()[0] as string;
    const answer = await call(sim, 'mediapocket', 'PUT', `/api/v2/assets/${id}`, {
      body: { title: 'Renamed', category: 'Modified Category', tags: ['Legal-Hold', 'Hero'] },
    });
    expect(answer.status).toBe(200);
    const asset = obj(answer.json).asset as MediaPocketAsset;
    expect(asset).toMatchObject({ title: 'Renamed', category: 'modified category', tags: ['legal-hold', 'hero'] });
    expect(Date.parse(asset.modification_date)).toBeGreaterThan(Date.now() - 60_000);
    expect(sim.mediapocket.get(id)).toEqual(asset);
    const tooLong = await call(sim, 'mediapocket', 'PUT', `/api/v2/assets/${id}`, { body: { title: 'x'.repeat(256) } });
    expect(tooLong.status).toBe(400);
    expect(obj(tooLong.json).error).toBe('Title is too long (maximum is 255 characters)');
  });

  it('store update() can age an asset for retention tests', () => {
    const id = sim.mediapocket.ids()[0] as string;
    const updated = sim.mediapocket.update(id, { modification_date: '2020-01-01T00:00:00.000Z', tags: ['campaign-2023'] });
    expect(updated.modification_date).toBe('2020-01-01T00:00:00.000Z');
    expect(sim.mediapocket.get(id)?.tags).toEqual(['campaign-2023']);
  });

  it('refuses a missing or wrong key with 401 {"error"}', async () => {
    const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'nope' }];
    for (const headers of attempts) {
      const answer = await call(sim, 'mediapocket', 'GET', '/api/v2/assets', { headers });
      expect(answer.status).toBe(401);
      expect(typeof obj(answer.json).error).toBe('string');
    }
    expect((await call(sim, 'mediapocket', 'GET', '/api/v2/collections')).status).toBe(404);
  });
});
