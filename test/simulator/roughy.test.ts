import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  startSimulator,
  type RoughyAssetDetail,
  type RoughyListItem,
  type Simulator,
} from '../../src/simulator/simulator.ts';
import { call, obj } from './sim-client.helper.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('simulated Roughy', () => {
  let sim: Simulator;
  beforeEach(async () => {
    sim = await startSimulator({ seed: 4, counts: { roughy: 240 } });
  });
  afterEach(() => sim.close());

  it('lists newest first with {items, total, limit, offset} and offset paging', async () => {
    const ids: string[] = [];
    let previous = Number.POSITIVE_INFINITY;
    for (let offset = 0; offset < 240; offset += 100) {
      const answer = await call(sim, 'roughy', 'GET', `/v1/assets?limit=100&offset=${offset}`);
      expect(answer.status).toBe(200);
      const body = obj(answer.json);
      expect(body).toMatchObject({ total: 240, limit: 100, offset });
      for (const item of body.items as RoughyListItem[]) {
        const time = Date.parse(item.created_at);
        expect(time).toBeLessThanOrEqual(previous);
        previous = time;
        ids.push(item.id);
      }
    }
    expect(ids).toEqual(sim.roughy.ids());
    const defaults = obj((await call(sim, 'roughy', 'GET', '/v1/assets')).json);
    expect(defaults).toMatchObject({ limit: 20, offset: 0, total: 240 });
    expect(defaults.items).toHaveLength(20);
  });

  it('serves list items with the documented fields and decimal-string durations', async () => {
    const body = obj((await call(sim, 'roughy', 'GET', '/v1/assets?limit=100')).json);
    for (const item of body.items as RoughyListItem[]) {
      expect(Object.keys(item).sort()).toEqual(
        ['content_type', 'created_at', 'duration_seconds', 'extension', 'id', 'language', 'project_id', 'size_bytes', 'state', 'type'],
      );
      expect(item.id).toMatch(UUID);
      expect(sim.roughy.projectIds()).toContain(item.project_id);
      if (item.duration_seconds !== null) expect(item.duration_seconds).toMatch(/^\d+\.\d{3}$/);
      if (item.state === 'ready') expect(typeof item.duration_seconds).toBe('string');
      if (item.state === 'pending_upload') expect(item.size_bytes).toBeNull();
      else expect(Number.isInteger(item.size_bytes)).toBe(true);
    }
    const oldest = Date.parse(sim.roughy.all()[239]?.created_at ?? '');
    expect(Date.now() - oldest).toBeLessThan(367 * 86_400_000);
  });

  it('carries X-Request-Id on every answer, errors included', async () => {
    const answers = [
      await call(sim, 'roughy', 'GET', '/v1/assets'),
      await call(sim, 'roughy', 'GET', '/v1/assets', { headers: {} }),
      await call(sim, 'roughy', 'GET', `/v1/assets/${crypto.randomUUID()}`),
      await call(sim, 'roughy', 'GET', '/v1/nothing'),
    ];
    const ids = answers.map((answer) => answer.headers.get('x-request-id'));
    for (const id of ids) expect(id).toMatch(/^req_[0-9a-f]{32}$/);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('adds error fields, upload_url and a freshly signed download_url on detail', async () => {
    const all = sim.roughy.all();
    const ready = all.find((asset) => asset.state === 'ready');
    const failed = all.find((asset) => asset.state === 'failed');
    const pending = all.find((asset) => asset.state === 'pending_upload');
    if (ready === undefined || failed === undefined || pending === undefined) throw new Error('states missing');

    const first = obj((await call(sim, 'roughy', 'GET', `/v1/assets/${ready.id}`)).json) as RoughyAssetDetail;
    const second = obj((await call(sim, 'roughy', 'GET', `/v1/assets/${ready.id}`)).json) as RoughyAssetDetail;
    const { download_url: url, ...stable } = first;
    expect(stable).toEqual(ready);
    expect(url).not.toBe(second.download_url);
    const expires = Number(new URL(url ?? '').searchParams.get('expires')) * 1000;
    expect(expires - Date.now()).toBeGreaterThan(14 * 60_000);
    expect(expires - Date.now()).toBeLessThan(16 * 60_000);
    expect(new URL(url ?? '').searchParams.get('signature')).toMatch(/^[0-9a-f]+$/);

    const failedDetail = obj((await call(sim, 'roughy', 'GET', `/v1/assets/${failed.id}`)).json);
    expect(failedDetail).toMatchObject({ state: 'failed', error_code: expect.any(String), error_message: expect.any(String), download_url: null });
    const pendingDetail = obj((await call(sim, 'roughy', 'GET', `/v1/assets/${pending.id}`)).json);
    expect(pendingDetail.upload_url).toMatch(/^https:\/\//);
    expect(pendingDetail.error_code).toBeNull();
  });

  it('deletes with 204 and no body, then answers 404 not_found', async () => {
    const id = sim.roughy.ids()[7] as string;
    const answer = await call(sim, 'roughy', 'DELETE', `/v1/assets/${id}`);
    expect(answer.status).toBe(204);
    expect(answer.text).toBe('');
    expect(sim.roughy.get(id)).toBeUndefined();
    for (const method of ['GET', 'DELETE']) {
      const gone = await call(sim, 'roughy', method, `/v1/assets/${id}`);
      expect(gone.status).toBe(404);
      expect(obj(gone.json)).toEqual({ error: { code: 'not_found', message: 'Asset not found.' } });
    }
    expect(obj((await call(sim, 'roughy', 'GET', '/v1/assets?limit=1')).json).total).toBe(239);
  });

  it('validates limit, offset, state, project_id and path ids with 422 validation_error and fields', async () => {
    const cases: Array<[string, string]> = [
      ['/v1/assets?limit=101', 'query.limit'],
      ['/v1/assets?limit=0', 'query.limit'],
      ['/v1/assets?offset=-1', 'query.offset'],
      ['/v1/assets?state=deleted', 'query.state'],
      ['/v1/assets?project_id=abc', 'query.project_id'],
      ['/v1/assets/not-a-uuid', 'path.asset_id'],
    ];
    for (const [path, field] of cases) {
      const answer = await call(sim, 'roughy', 'GET', path);
      expect(answer.status).toBe(422);
      const error = obj(answer.json).error;
      expect(error.code).toBe('validation_error');
      expect(error.fields).toEqual([{ field, message: expect.any(String) }]);
    }
  });

  it('filters by state and project_id with consistent totals', async () => {
    const project = sim.roughy.projectIds()[0] as string;
    const expected = sim.roughy.all().filter((asset) => asset.state === 'ready' && asset.project_id === project);
    const body = obj((await call(sim, 'roughy', 'GET', `/v1/assets?state=ready&project_id=${project}&limit=100`)).json);
    expect(body.total).toBe(expected.length);
    expect((body.items as RoughyListItem[]).map((item) => item.id)).toEqual(expected.slice(0, 100).map((a) => a.id));
    const failed = obj((await call(sim, 'roughy', 'GET', '/v1/assets?state=failed')).json);
    expect(failed.total).toBe(sim.roughy.all().filter((asset) => asset.state === 'failed').length);
    const none = obj((await call(sim, 'roughy', 'GET', `/v1/assets?project_id=${crypto.randomUUID()}`)).json);
    expect(none).toMatchObject({ items: [], total: 0 });
  });

  it('add() goes to offset 0 and pushes the rest down; remove() pulls them up', async () => {
    const page = async (offset: number) =>
      (obj((await call(sim, 'roughy', 'GET', `/v1/assets?limit=10&offset=${offset}`)).json).items as RoughyListItem[]).map(
        (item) => item.id,
      );
    const before = await page(10);
    const added = sim.roughy.add({ state: 'failed' });
    expect((await page(0))[0]).toBe(added.id);
    const shifted = await page(10);
    expect(shifted.slice(1)).toEqual(before.slice(0, 9));
    sim.roughy.remove(added.id);
    sim.roughy.remove(sim.roughy.ids()[0] as string);
    expect((await page(10)).slice(0, 9)).toEqual(before.slice(1));
    const moved = sim.roughy.update(before[0] as string, { state: 'failed' });
    expect(moved.state).toBe('failed');
    const failedIds = (obj((await call(sim, 'roughy', 'GET', '/v1/assets?state=failed&limit=100')).json).items as RoughyListItem[]).map((i) => i.id);
    expect(failedIds).toContain(before[0]);
  });

  it('refuses a missing or wrong bearer key with 401 unauthenticated', async () => {
    const attempts: Array<Record<string, string>> = [{}, { authorization: 'Bearer nope' }, { 'x-api-key': sim.apiKeys.roughy }];
    for (const headers of attempts) {
      const answer = await call(sim, 'roughy', 'GET', '/v1/assets', { headers });
      expect(answer.status).toBe(401);
      expect(obj(answer.json).error.code).toBe('unauthenticated');
    }
  });
});
