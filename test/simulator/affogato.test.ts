import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import { call, obj } from './sim-client.helper.ts';

describe('simulated Affogato', () => {
  let sim: Simulator;
  beforeAll(async () => {
    sim = await startSimulator({ seed: 7, counts: { affogato: 230 } });
  });
  afterAll(() => sim.close());

  it('lists pages in the {data, err, pagination} envelope and covers every asset once', async () => {
    const seen: string[] = [];
    for (let page = 1; page <= 5; page += 1) {
      const answer = await call(sim, 'affogato', 'GET', `/pub/v2/assets?page=${page}&page_size=50`);
      expect(answer.status).toBe(200);
      const body = obj(answer.json);
      expect(body.err).toEqual({});
      expect(body.pagination).toEqual({ page, page_size: 50, total: 230 });
      seen.push(...(body.data as Array<{ id: string }>).map((asset) => asset.id));
    }
    expect(seen).toHaveLength(230);
    expect(seen).toEqual(sim.affogato.ids());
    const beyond = obj((await call(sim, 'affogato', 'GET', '/pub/v2/assets?page=6&page_size=50')).json);
    expect(beyond.data).toEqual([]);
    expect(beyond.pagination.total).toBe(230);
  });

  it('serves assets in the v2 shape: duration only on audio/video, frames only on video', async () => {
    const body = obj((await call(sim, 'affogato', 'GET', '/pub/v2/assets?page=1&page_size=50')).json);
    for (const asset of body.data as Array<Record<string, unknown>>) {
      expect(asset.id).toMatch(/^ast_[0-9A-Za-z]{20}$/);
      expect(['image', 'video', 'audio']).toContain(asset.type);
      expect(['active', 'archive', 'pending', 'censored', 'processing']).toContain(asset.status);
      expect(typeof asset.url).toBe('string');
      expect(asset.size).toEqual({ width: expect.any(Number), height: expect.any(Number) });
      expect('duration' in asset).toBe(asset.type !== 'image');
      expect('frames' in asset).toBe(asset.type === 'video');
      if (asset.duration !== undefined) expect(Number.isInteger(asset.duration)).toBe(true);
    }
    const statuses = sim.affogato.all().map((asset) => asset.status);
    expect(statuses.filter((status) => status === 'active').length).toBeGreaterThan(230 / 2);
  });

  it('defaults to page 1 with 10 items and filters by type', async () => {
    const plain = obj((await call(sim, 'affogato', 'GET', '/pub/v2/assets')).json);
    expect(plain.data).toHaveLength(10);
    expect(plain.pagination).toEqual({ page: 1, page_size: 10, total: 230 });
    const videos = sim.affogato.all().filter((asset) => asset.type === 'video');
    const filtered = obj((await call(sim, 'affogato', 'GET', '/pub/v2/assets?type=video&page_size=50')).json);
    expect(filtered.pagination.total).toBe(videos.length);
    expect((filtered.data as Array<{ id: string }>).map((a) => a.id)).toEqual(videos.slice(0, 50).map((a) => a.id));
  });

  it.each([
    ['page_size=51'],
    ['page_size=0'],
    ['page_size=ten'],
    ['page=0'],
    ['type=document'],
  ])('rejects %s with 422 and a non-empty err', async (query) => {
    const answer = await call(sim, 'affogato', 'GET', `/pub/v2/assets?${query}`);
    expect(answer.status).toBe(422);
    const body = obj(answer.json);
    expect(body.data).toBeNull();
    expect(body.err.code).toBe('validation_error');
    expect(typeof body.err.message).toBe('string');
  });

  it('answers detail requests and 404s unknown ids with err.code not_found', async () => {
    const first = sim.affogato.all()[0];
    if (first === undefined) throw new Error('no assets');
    const answer = await call(sim, 'affogato', 'GET', `/pub/v2/assets/${first.id}`);
    expect(answer.status).toBe(200);
    expect(obj(answer.json)).toEqual({ data: first, err: {} });
    const missing = await call(sim, 'affogato', 'GET', '/pub/v2/assets/ast_doesnotexist000000000');
    expect(missing.status).toBe(404);
    expect(obj(missing.json)).toEqual({ data: null, err: { code: 'not_found', message: expect.any(String) } });
  });

  it('refuses a missing or wrong X-API-KEY with 401 in its own envelope', async () => {
    const attempts: Array<Record<string, string>> = [{}, { 'x-api-key': 'wrong' }, { authorization: `Bearer ${sim.apiKeys.affogato}` }];
    for (const headers of attempts) {
      const answer = await call(sim, 'affogato', 'GET', '/pub/v2/assets', { headers });
      expect(answer.status).toBe(401);
      expect(obj(answer.json).err.code).toBe('unauthorized');
    }
  });

  it('404s unknown paths', async () => {
    const answer = await call(sim, 'affogato', 'GET', '/pub/v3/assets');
    expect(answer.status).toBe(404);
    expect(obj(answer.json).err.code).toBe('not_found');
  });

  it('archives a batch, lists what it archived, is harmless on repeats and skips unknown ids', async () => {
    const targets = sim.affogato
      .all()
      .filter((asset) => asset.status === 'active')
      .slice(0, 3);
    const ids = targets.map((asset) => asset.id);
    const answer = await call(sim, 'affogato', 'POST', '/pub/v1/assets/archive', {
      body: { ids: [...ids, 'ast_unknown00000000000000'] },
    });
    expect(answer.status).toBe(200);
    const body = obj(answer.json);
    expect(body.err).toEqual({});
    expect(body.data).toEqual(
      targets.map((asset) => ({
        id: asset.id,
        status: 'archive',
        tags: sim.affogato.tagsOf(asset.id),
        type: asset.type,
        data: { size: asset.size, url: asset.url },
      })),
    );
    for (const id of ids) expect(sim.affogato.get(id)?.status).toBe('archive');
    const detail = obj((await call(sim, 'affogato', 'GET', `/pub/v2/assets/${ids[0]}`)).json);
    expect(detail.data.status).toBe('archive');

    const again = obj((await call(sim, 'affogato', 'POST', '/pub/v1/assets/archive', { body: { ids } })).json);
    expect((again.data as Array<{ id: string }>).map((item) => item.id)).toEqual(ids);
    expect(sim.affogato.size()).toBe(230);
  });

  it('rejects archive bodies without a non-empty ids array', async () => {
    for (const body of [{}, { ids: [] }, { ids: 'ast_x' }, { ids: [1, 2] }]) {
      const answer = await call(sim, 'affogato', 'POST', '/pub/v1/assets/archive', { body });
      expect(answer.status).toBe(422);
      expect(obj(answer.json).err.code).toBe('validation_error');
    }
  });
});

describe('simulated Affogato under change', () => {
  it('add() lands at a random place so later pages shift, and remove() makes detail 404', async () => {
    const sim = await startSimulator({ seed: 3, counts: { affogato: 500 } });
    try {
      const before = sim.affogato.ids();
      const positions = new Set<number>();
      for (let i = 0; i < 5; i += 1) {
        const added = sim.affogato.add();
        positions.add(sim.affogato.ids().indexOf(added.id));
      }
      expect(positions.size).toBeGreaterThan(1);
      expect(sim.affogato.size()).toBe(505);
      const after = sim.affogato.ids().filter((id) => before.includes(id));
      expect(after).toEqual(before);

      const gone = before[10] as string;
      expect(sim.affogato.remove(gone)).toBe(true);
      expect((await call(sim, 'affogato', 'GET', `/pub/v2/assets/${gone}`)).status).toBe(404);
      const page = obj((await call(sim, 'affogato', 'GET', '/pub/v2/assets?page=1&page_size=50')).json);
      expect(page.pagination.total).toBe(504);
    } finally {
      await sim.close();
    }
  });

  it('add() honours overrides and update() changes the served asset', async () => {
    const sim = await startSimulator({ seed: 3, counts: { affogato: 20 } });
    try {
      const video = sim.affogato.add({ type: 'video', status: 'processing' });
      expect(video.type).toBe('video');
      expect(video.frames).toBeGreaterThan(0);
      expect(() => sim.affogato.add({ id: video.id })).toThrow(/already exists/);
      sim.affogato.update(video.id, { status: 'active' });
      const detail = obj((await call(sim, 'affogato', 'GET', `/pub/v2/assets/${video.id}`)).json);
      expect(detail.data.status).toBe('active');
      expect(Object.isFrozen(sim.affogato.get(video.id))).toBe(true);
    } finally {
      await sim.close();
    }
  });

  it('drops about half of an archive batch when rateArchivePartial fires, leaving them unarchived', async () => {
    const sim = await startSimulator({ seed: 5, counts: { affogato: 100 }, faults: { affogato: { rateArchivePartial: 1 } } });
    try {
      const ids = sim.affogato
        .all()
        .filter((asset) => asset.status === 'active')
        .slice(0, 10)
        .map((asset) => asset.id);
      const body = obj((await call(sim, 'affogato', 'POST', '/pub/v1/assets/archive', { body: { ids } })).json);
      const answered = (body.data as Array<{ id: string }>).map((item) => item.id);
      expect(answered).toHaveLength(5);
      for (const id of ids) expect(sim.affogato.isArchived(id)).toBe(answered.includes(id));

      const single = ids.find((id) => !answered.includes(id)) as string;
      const alone = obj((await call(sim, 'affogato', 'POST', '/pub/v1/assets/archive', { body: { ids: [single] } })).json);
      expect(alone.data).toEqual([]);
      expect(sim.affogato.isArchived(single)).toBe(false);
    } finally {
      await sim.close();
    }
  });
});
