import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { describe, expect, it } from 'vitest';
import { catalogTruth, startSimulator, type CatalogTruthRow, type SimTruth } from '../../src/simulator/simulator.ts';
import { call, obj } from './sim-client.helper.ts';

const COUNTS = { affogato: 300, mediapocket: 300, roughy: 300 };
const REFERENCE = Date.UTC(2025, 5, 1);

describe('determinism', () => {
  it('gives identical assets for the same seed and different ones for another seed', async () => {
    const [a, b, c] = await Promise.all([
      startSimulator({ seed: 42, counts: COUNTS, referenceTime: REFERENCE }),
      startSimulator({ seed: 42, counts: COUNTS, referenceTime: REFERENCE }),
      startSimulator({ seed: 43, counts: COUNTS, referenceTime: REFERENCE }),
    ]);
    try {
      expect(b.affogato.all()).toEqual(a.affogato.all());
      expect(b.mediapocket.all()).toEqual(a.mediapocket.all());
      expect(b.roughy.all()).toEqual(a.roughy.all());
      expect(c.affogato.ids()).not.toEqual(a.affogato.ids());
      expect(c.roughy.ids()).not.toEqual(a.roughy.ids());
      // Adding to one provider does not disturb another provider's stream.
      a.affogato.add();
      expect(a.mediapocket.add().title).toBe(b.mediapocket.add().title);
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('does not depend on other providers counts', async () => {
    const [a, b] = await Promise.all([
      startSimulator({ seed: 5, counts: { roughy: 50 }, referenceTime: REFERENCE }),
      startSimulator({ seed: 5, counts: { roughy: 50, affogato: 1_000 }, referenceTime: REFERENCE }),
    ]);
    try {
      expect(b.roughy.all()).toEqual(a.roughy.all());
    } finally {
      await Promise.all([a.close(), b.close()]);
    }
  });
});

describe('scale', () => {
  it('generates 100,000 Affogato assets and serves deep pages', async () => {
    const sim = await startSimulator({ counts: { affogato: 100_000 } });
    try {
      expect(sim.affogato.size()).toBe(100_000);
      let served = 0;
      for (let page = 1_900; page <= 2_000; page += 1) {
        const body = obj((await call(sim, 'affogato', 'GET', `/pub/v2/assets?page=${page}&page_size=50`)).json);
        served += (body.data as unknown[]).length;
      }
      expect(served).toBe(101 * 50);
    } finally {
      await sim.close();
    }
  });
});

describe('stats', () => {
  it('counts by provider, operation and status, logs destructive calls in order, and resets', async () => {
    const sim = await startSimulator({ counts: { affogato: 5, mediapocket: 5, roughy: 5 } });
    try {
      const affogatoId = sim.affogato.ids()[0] as string;
      const mediapocketId = sim.mediapocket.ids()[0] as string;
      const roughyId = sim.roughy.ids()[0] as string;
      await call(sim, 'affogato', 'GET', '/pub/v2/assets');
      await call(sim, 'affogato', 'GET', '/pub/v2/assets', { headers: {} });
      await call(sim, 'affogato', 'POST', '/pub/v1/assets/archive', { body: { ids: [affogatoId] } });
      await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${mediapocketId}/trash_bin`);
      await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${mediapocketId}/restore`);
      await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${mediapocketId}/dag_actions/1`);
      await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${mediapocketId}/dag_action_runs`);
      await call(sim, 'mediapocket', 'DELETE', `/api/v2/assets/${mediapocketId}`);
      await call(sim, 'roughy', 'DELETE', `/v1/assets/${roughyId}`);
      await call(sim, 'roughy', 'GET', '/v1/bogus');

      expect(sim.stats.requests.affogato).toEqual({ list: { '200': 1, '401': 1 }, archive: { '200': 1 } });
      expect(sim.stats.count('affogato')).toBe(3);
      expect(sim.stats.count('affogato', 'list', 401)).toBe(1);
      expect(sim.stats.count('mediapocket', 'dag.start')).toBe(1);
      expect(sim.stats.count('mediapocket', 'dag.runs', 200)).toBe(1);
      expect(sim.stats.count('roughy', 'unknown', 404)).toBe(1);
      expect(sim.stats.destructiveCalls.map(({ provider, operation, assetIds, status }) => [provider, operation, assetIds, status])).toEqual([
        ['affogato', 'archive', [affogatoId], 200],
        ['mediapocket', 'trash', [mediapocketId], 200],
        ['mediapocket', 'restore', [mediapocketId], 200],
        ['mediapocket', 'delete', [mediapocketId], 200],
        ['roughy', 'delete', [roughyId], 204],
      ]);
      const snapshot = sim.stats.snapshot();
      sim.stats.reset();
      expect(sim.stats.count('affogato')).toBe(0);
      expect(sim.stats.destructiveCalls).toEqual([]);
      expect(snapshot.destructiveCalls).toHaveLength(5);
    } finally {
      await sim.close();
    }
  });
});

describe('onListPage', () => {
  it('runs before each listing page with its number, so a test can change the truth mid-listing', async () => {
    const sim = await startSimulator({ seed: 8, counts: { roughy: 30 } });
    try {
      const calls: number[] = [];
      sim.onListPage('roughy', (n) => {
        calls.push(n);
        if (n === 2) sim.roughy.add();
      });
      const first = obj((await call(sim, 'roughy', 'GET', '/v1/assets?limit=10&offset=0')).json);
      const second = obj((await call(sim, 'roughy', 'GET', '/v1/assets?limit=10&offset=10')).json);
      await call(sim, 'roughy', 'GET', `/v1/assets/${sim.roughy.ids()[0] as string}`);
      expect(calls).toEqual([1, 2]);
      expect(second.total).toBe(31);
      // The asset added before page 2 pushed the last of page 1 onto page 2: seen twice.
      const firstIds = (first.items as Array<{ id: string }>).map((item) => item.id);
      expect((second.items as Array<{ id: string }>)[0]?.id).toBe(firstIds[9]);
      sim.onListPage('roughy', undefined);
      await call(sim, 'roughy', 'GET', '/v1/assets');
      expect(calls).toEqual([1, 2]);
    } finally {
      await sim.close();
    }
  });

  it('answers 500 in the provider shape when the hook throws', async () => {
    const sim = await startSimulator({ counts: { mediapocket: 3 } });
    try {
      sim.onListPage('mediapocket', () => {
        throw new Error('hook failed');
      });
      const answer = await call(sim, 'mediapocket', 'GET', '/api/v2/assets');
      expect(answer.status).toBe(500);
      expect(obj(answer.json)).toEqual({ error: expect.any(String) });
    } finally {
      await sim.close();
    }
  });
});

describe('control surface /__sim/', () => {
  it('serves truth and stats, resets stats, sets faults, adds and removes assets', async () => {
    const sim = await startSimulator({ counts: { affogato: 4, mediapocket: 4, roughy: 4 } });
    try {
      const get = async (path: string, init?: RequestInit) => {
        const response = await fetch(`${sim.url}/__sim${path}`, init);
        return { status: response.status, body: obj(await response.json()) };
      };
      const post = (path: string, body?: unknown) =>
        get(path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });

      const mediapocketId = sim.mediapocket.ids()[0] as string;
      sim.mediapocket.trash(mediapocketId);
      const truth = (await get('/truth/mediapocket')).body as SimTruth;
      expect(truth.count).toBe(3);
      expect(truth.ids).toEqual(sim.mediapocket.ids());
      expect(truth.assets).toEqual(sim.mediapocket.all());
      expect(truth.trashed?.ids).toEqual([mediapocketId]);
      expect(((await get('/truth/roughy')).body as SimTruth).assets).toEqual(sim.roughy.all());
      const rows = (await get('/truth/mediapocket?shape=catalog')).body as unknown as CatalogTruthRow[];
      expect(rows).toHaveLength(4);
      expect(rows).toEqual(catalogTruth(sim, 'mediapocket'));
      const trashedRow = rows.find((row) => row.asset_id === mediapocketId);
      expect(trashedRow).toMatchObject({ provider: 'mediapocket', trashed_at: sim.mediapocket.get(mediapocketId)?.deleted });
      expect(rows.map((row) => row.asset_id)).toEqual([...rows.map((row) => row.asset_id)].sort());
      expect((await get('/truth/nope')).status).toBe(404);

      await call(sim, 'roughy', 'GET', '/v1/assets');
      expect((await get('/stats')).body.requests.roughy.list).toEqual({ '200': 1 });
      await post('/reset-stats');
      expect(sim.stats.count('roughy')).toBe(0);

      expect((await post('/faults/roughy', { rate500: 1, onlyListing: true })).status).toBe(200);
      expect((await call(sim, 'roughy', 'GET', '/v1/assets')).status).toBe(500);
      expect((await post('/faults/roughy', { rate500: 'always' })).status).toBe(400);
      expect((await post('/faults/roughy', { bogus: 1 })).status).toBe(400);
      await post('/faults/roughy', {});
      expect((await call(sim, 'roughy', 'GET', '/v1/assets')).status).toBe(200);

      const added = await post('/assets/affogato', { status: 'pending' });
      expect(added.status).toBe(201);
      const id = added.body.asset.id as string;
      expect(sim.affogato.get(id)?.status).toBe('pending');
      expect((await get(`/assets/affogato/${id}`, { method: 'DELETE' })).status).toBe(200);
      expect(sim.affogato.get(id)).toBeUndefined();
    } finally {
      await sim.close();
    }
  });
});

describe('lifecycle', () => {
  it('closes promptly even with a slow answer in flight', async () => {
    const sim = await startSimulator({ counts: { affogato: 1 }, faults: { affogato: { rateSlow: 1, slowMs: 30_000 } } });
    const pending = call(sim, 'affogato', 'GET', '/pub/v2/assets').catch((error: unknown) => error);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const started = Date.now();
    await sim.close();
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(await pending).toBeInstanceOf(Error);
  });

  it('runs as its own process: one JSON line when listening, exits on SIGTERM', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', 'src/simulator/main.ts', '--seed', '3', '--affogato', '10', '--mediapocket', '5', '--roughy', '5'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    try {
      const lines = createInterface({ input: child.stdout });
      const line = await new Promise<string>((resolve, reject) => {
        lines.once('line', resolve);
        child.once('exit', (code) => reject(new Error(`simulator exited early (${code})`)));
      });
      const info = JSON.parse(line) as { url: string; baseUrls: Record<string, string>; apiKeys: Record<string, string> };
      expect(info.baseUrls.affogato).toBe(`${info.url}/affogato`);
      const response = await fetch(`${info.baseUrls.affogato}/pub/v2/assets`, {
        headers: { 'x-api-key': info.apiKeys.affogato ?? '' },
      });
      expect(obj(await response.json()).pagination.total).toBe(10);
      const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
      child.kill('SIGTERM');
      expect(await exited).toBe(0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
