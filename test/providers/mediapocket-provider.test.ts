import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { ProviderError } from '../../src/errors.ts';
import { createRedisRateLimiter } from '../../src/http/rate-limiter.ts';
import { createLogger } from '../../src/logger.ts';
import { createMediaPocketClient } from '../../src/providers/mediapocket/mediapocket.client.ts';
import { createMediaPocketDagActions } from '../../src/providers/mediapocket/mediapocket-dag.provider.ts';
import { createMediaPocketProvider } from '../../src/providers/mediapocket/mediapocket.provider.ts';
import { createProviders } from '../../src/providers/provider-factory.ts';
import type { ListingContext, ListingPage } from '../../src/providers/provider.ts';
import { Secret } from '../../src/secret.ts';
import { startSimulator, type Simulator } from '../../src/simulator/simulator.ts';
import { clearPrefix, createRedis, testQueuePrefix } from '../support/services.ts';
import { builtinProviderRegistry } from '../../src/providers/registry.ts';

const prefix = testQueuePrefix();
const redis = createRedis();
const rateLimiter = createRedisRateLimiter({ redis, prefix, rps: { mediapocket: 1_000, roughy: 1_000 } });
const logger = createLogger('silent');
let sim: Simulator;
const closers: Array<() => Promise<void>> = [];

afterEach(async () => {
  await Promise.all(closers.splice(0).map((close) => close()));
  await sim.close();
});
afterAll(async () => {
  await clearPrefix(prefix);
  redis.disconnect();
});

function mediaPocket(perPage?: number) {
  const client = createMediaPocketClient({
    config: { apiKey: new Secret(sim.apiKeys.mediapocket), baseUrl: sim.baseUrls.mediapocket, rps: 1_000 },
    rateLimiter,
    logger,
    http: { backoff: { baseMs: 1, capMs: 5 }, retries: 3 },
  });
  closers.push(() => client.close());
  return { provider: createMediaPocketProvider(client, { perPage, logger }), dag: createMediaPocketDagActions(client) };
}

function context(progress: Record<string, unknown> = {}): ListingContext {
  return { progress, committedPageKeys: new Set(), seenIds: new Set(), signal: new AbortController().signal };
}

async function collect(pages: AsyncIterable<ListingPage>): Promise<ListingPage[]> {
  const out: ListingPage[] = [];
  for await (const page of pages) out.push(page);
  return out;
}

const ids = (pages: ListingPage[]) => pages.flatMap((page) => page.items.map((item) => (item.ok ? item.record.assetId : item.assetId)));

async function failure(promise: Promise<unknown>): Promise<ProviderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  if (!(error instanceof ProviderError)) throw new Error(`expected a ProviderError, got ${String(error)}`);
  return error;
}

describe('Media Pocket adapter over HTTP', () => {
  it('follows the cursor to the end, and resumes after a committed page or from the start when the cursor is refused', async () => {
    sim = await startSimulator({ seed: 41, counts: { mediapocket: 230 } });
    const { provider } = mediaPocket(100);
    const pages = await collect(provider.list(context()));
    expect(pages.map((page) => page.key)).toEqual(['1', '2', '3']);
    expect(ids(pages)).toEqual(sim.mediapocket.ids());
    expect(pages.map((page) => page.progress.cursor === null)).toEqual([false, false, true]);

    const resumed = await collect(provider.list(context(pages[0]?.progress)));
    expect(resumed.map((page) => page.key)).toEqual(['2', '3']);
    expect(ids(resumed)).toEqual(sim.mediapocket.ids().slice(100));
    expect(await collect(provider.list(context(pages[2]?.progress)))).toEqual([]);

    sim.stats.reset();
    const restarted = await collect(provider.list(context({ cursor: 'not-a-cursor!', page: 7 })));
    expect(sim.stats.count('mediapocket', 'list', 422)).toBe(1);
    expect(restarted.map((page) => page.key)).toEqual(['8', '9', '10']);
    expect(ids(restarted)).toEqual(sim.mediapocket.ids());
  });

  it('tells a trashed asset (still there, `deleted` set) from a permanently deleted one (404)', async () => {
    sim = await startSimulator({ seed: 42, counts: { mediapocket: 10 } });
    const { provider } = mediaPocket();
    const [live, trashed, deleted] = sim.mediapocket.ids() as [string, string, string];
    sim.mediapocket.trash(trashed, new Date('2025-01-02T03:04:05.678Z'));
    sim.mediapocket.remove(deleted);
    expect(await provider.lookup(live)).toMatchObject({ state: 'present', item: { ok: true, record: { assetId: live, trashedAt: null } } });
    expect(await provider.lookup(trashed)).toMatchObject({
      state: 'trashed',
      trashedAt: new Date('2025-01-02T03:04:05.678Z'),
      item: { ok: true, record: { assetId: trashed, trashedAt: new Date('2025-01-02T03:04:05.678Z') } },
    });
    expect(await provider.lookup(deleted)).toEqual({ state: 'gone' });
  });

  it('trashes, restores and deletes one asset per call; 404 is gone; restoring what is not in the trash is done', async () => {
    sim = await startSimulator({ seed: 43, counts: { mediapocket: 5 } });
    const { provider } = mediaPocket();
    expect(provider.supportedActions).toEqual(['trash', 'restore', 'delete']);
    expect(['trash', 'restore', 'delete'].map((action) => provider.batchSize(action as 'trash'))).toEqual([1, 1, 1]);
    const [id] = sim.mediapocket.ids() as [string];
    expect(await provider.perform('trash', [id])).toEqual({ done: [id], gone: [], notDone: [] });
    expect(sim.mediapocket.isTrashed(id)).toBe(true);
    expect(await provider.perform('restore', [id])).toEqual({ done: [id], gone: [], notDone: [] });
    expect(sim.mediapocket.isTrashed(id)).toBe(false);
    expect(await provider.perform('restore', [id])).toEqual({ done: [id], gone: [], notDone: [] });
    expect(await provider.perform('delete', [id])).toEqual({ done: [id], gone: [], notDone: [] });
    expect(sim.mediapocket.get(id)).toBeUndefined();
    expect(await provider.perform('trash', [id])).toEqual({ done: [], gone: [id], notDone: [] });
    expect(sim.stats.destructiveCalls.map((call) => [call.operation, call.status])).toEqual([
      ['trash', 200],
      ['restore', 200],
      ['restore', 400],
      ['delete', 200],
      ['trash', 404],
    ]);
    await expect(provider.perform('archive', [id])).rejects.toThrow('mediapocket does not support "archive"');
  });

  it('treats a 200 carrying `error` as a permanent failure, without retrying it', async () => {
    sim = await startSimulator({ seed: 44, counts: { mediapocket: 5 }, faults: { mediapocket: { rateErrorIn200: 1 } } });
    const { provider } = mediaPocket();
    const error = await failure(provider.lookup(sim.mediapocket.ids()[0] as string));
    expect(error).toMatchObject({ kind: 'permanent', status: 200 });
    expect(error.message).toContain('error in a 200 body: Something went wrong. Please try again later.');
    expect(sim.stats.count('mediapocket', 'get')).toBe(1);
  });

  it('starts DAG actions and follows their runs by polling the asset’s run list', async () => {
    sim = await startSimulator({ seed: 45, counts: { mediapocket: 3 } });
    const { dag } = mediaPocket();
    const [asset] = sim.mediapocket.ids() as [string];
    const started = await dag.start(asset, '1');
    expect(started).toMatchObject({ runId: '1', status: 'running', messages: [expect.objectContaining({ message: 'Set in queue...' })] });
    expect(started.createdAt).toBeInstanceOf(Date);
    const review = await dag.start(asset, '4');
    const phases: string[] = [];
    for (let poll = 0; poll < 3; poll += 1) {
      const runs = await dag.listRuns(asset);
      const run = runs.find((r) => r.runId === started.runId);
      phases.push(`${run?.status}:${dag.phaseOf(run?.status ?? '')}`);
    }
    expect(phases).toEqual(['running:running', 'running:running', 'finished:succeeded']);
    const waiting = (await dag.listRuns(asset)).find((r) => r.runId === review.runId);
    expect(waiting && [waiting.status, dag.phaseOf(waiting.status)]).toEqual(['waiting_for_review', 'unknown']);
    const unknownAction = await failure(dag.start(asset, '999'));
    expect(unknownAction).toMatchObject({ kind: 'not_found', status: 404 });
  });

  it('surfaces a missing ACTIONS_START / ACTIONS_VIEW permission as an auth error with the provider’s message', async () => {
    sim = await startSimulator({ seed: 46, counts: { mediapocket: 3 } });
    const { dag } = mediaPocket();
    const [asset] = sim.mediapocket.ids() as [string];
    sim.mediapocket.denyPermissions('ACTIONS_START', true);
    const start = await failure(dag.start(asset, '1'));
    expect(start).toMatchObject({ kind: 'auth', status: 403 });
    expect(start.message).toContain('Permission denied. Must have ACTIONS_START permissions.');
    sim.mediapocket.denyPermissions('ACTIONS_VIEW', true);
    const view = await failure(dag.listRuns(asset));
    expect(view).toMatchObject({ kind: 'auth', status: 403 });
    expect(view.message).toContain('Permission denied. Must have ACTIONS_VIEW permissions.');
    expect(sim.stats.count('mediapocket', 'dag.start', 403) + sim.stats.count('mediapocket', 'dag.runs', 403)).toBe(2);
  });

  it('is built by the provider factory with its DAG actions; Roughy has none', async () => {
    sim = await startSimulator({ seed: 47, counts: { mediapocket: 4, roughy: 4 } });
    const config = loadConfig({
      MEDIAPOCKET_API_KEY: sim.apiKeys.mediapocket,
      MEDIAPOCKET_BASE_URL: sim.baseUrls.mediapocket,
      ROUGHY_API_KEY: sim.apiKeys.roughy,
      ROUGHY_BASE_URL: sim.baseUrls.roughy,
    }, builtinProviderRegistry);
    const handles = createProviders(config, { rateLimiter, logger });
    closers.push(...[...handles.values()].map((handle) => () => handle.close()));
    const mp = handles.get('mediapocket');
    const roughy = handles.get('roughy');
    expect([...handles.keys()]).toEqual(['mediapocket', 'roughy']);
    expect(mp?.provider.name).toBe('mediapocket');
    expect(roughy?.provider.name).toBe('roughy');
    expect(roughy?.dagActions).toBeUndefined();
    const [asset] = sim.mediapocket.ids() as [string];
    expect(await mp?.dagActions?.start(asset, '5')).toMatchObject({ status: 'running' });
    expect(await mp?.provider.lookup(asset)).toMatchObject({ state: 'present' });
    expect(await roughy?.provider.lookup(sim.roughy.ids()[0] as string)).toMatchObject({ state: 'present' });
  });
});
