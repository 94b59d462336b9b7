/**
 * The built-in provider simulator: one loopback HTTP server that answers as Affogato, Media Pocket and Roughy do
 * (see the reference pages and the providers README), with seeded data, injectable faults and real rate limits.
 * It backs the tests, the `demo` command and the benchmarks.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAffogatoApi } from './affogato/affogato.api.ts';
import { AffogatoStore } from './affogato/affogato.store.ts';
import { createControlApi } from './control.api.ts';
import { FaultInjector } from './core/fault.injector.ts';
import { readJsonBody, Sleeper, writeResponse } from './core/http.io.ts';
import { serveProviderRequest, type ListPageHook, type PipelineDeps } from './core/request.pipeline.ts';
import { createRandom, deriveSeed } from './core/seeded.random.ts';
import { SlidingWindowLimiter } from './core/sliding.window.ts';
import { StatsRecorder } from './core/stats.recorder.ts';
import { createMediaPocketApi } from './mediapocket/mediapocket.api.ts';
import { MediaPocketStore } from './mediapocket/mediapocket.store.ts';
import { createRoughyApi } from './roughy/roughy.api.ts';
import { RoughyStore } from './roughy/roughy.store.ts';
import {
  isSimProvider,
  SIM_PROVIDERS,
  type FaultConfig,
  type SimProvider,
  type SimulatorOptions,
  type SimulatorStats,
} from './simulator.types.ts';

export type {
  DagActionSpec,
  DestructiveCall,
  FaultConfig,
  SimProvider,
  SimulatorOptions,
  SimulatorStats,
  SimulatorStatsSnapshot,
} from './simulator.types.ts';
export { SIM_PROVIDERS, isSimProvider } from './simulator.types.ts';
export { AffogatoStore, type AffogatoPage } from './affogato/affogato.store.ts';
export type {
  AffogatoArchivedItem,
  AffogatoAsset,
  AffogatoAssetType,
  AffogatoSize,
  AffogatoStatus,
} from './affogato/affogato.wire.ts';
export { MediaPocketStore, type MediaPocketPage, type RestoreOutcome } from './mediapocket/mediapocket.store.ts';
export { DEFAULT_DAG_ACTIONS } from './mediapocket/mediapocket-dag.store.ts';
export type {
  DagActionInfo,
  DagActionRun,
  DagActionRunMessage,
  MediaPocketAsset,
  MediaPocketMediaType,
  MediaPocketPermission,
} from './mediapocket/mediapocket.wire.ts';
export { RoughyStore, toListItem, type RoughyPage, type RoughyQuery } from './roughy/roughy.store.ts';
export type {
  RoughyAsset,
  RoughyAssetDetail,
  RoughyErrorBody,
  RoughyListItem,
  RoughyState,
  RoughyType,
} from './roughy/roughy.wire.ts';
export { truthOf, type SimTruth } from './control.api.ts';
export { catalogTruth, type CatalogTruthRow } from './catalog.truth.ts';

export const DEFAULT_API_KEYS: Readonly<Record<SimProvider, string>> = {
  affogato: 'sim-affogato-key',
  mediapocket: 'sim-mediapocket-key',
  roughy: 'sim-roughy-key',
};

export interface Simulator {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  /** `${url}/affogato`, `${url}/mediapocket`, `${url}/roughy`: the provider's own paths go after it. */
  readonly baseUrls: Record<SimProvider, string>;
  readonly apiKeys: Record<SimProvider, string>;
  readonly affogato: AffogatoStore;
  readonly mediapocket: MediaPocketStore;
  readonly roughy: RoughyStore;
  readonly stats: SimulatorStats;
  /** Replaces a provider's faults; undefined clears them. */
  setFaults(provider: SimProvider, faults: FaultConfig | undefined): void;
  /**
   * Called before each listing page is served (after auth, rate limit and faults let it through), with the
   * number of pages served since the hook was set (from 1): lets a test insert/remove assets while a client pages.
   */
  onListPage(provider: SimProvider, hook: ((pageRequestNumber: number) => void) | undefined): void;
  close(): Promise<void>;
}

function startOfUtcDay(now = Date.now()): number {
  return Math.floor(now / 86_400_000) * 86_400_000;
}

export async function startSimulator(options: SimulatorOptions = {}): Promise<Simulator> {
  const seed = options.seed ?? 1;
  const referenceTime = options.referenceTime ?? startOfUtcDay();
  const counts = options.counts ?? {};
  const apiKeys: Record<SimProvider, string> = { ...DEFAULT_API_KEYS, ...options.apiKeys };
  const dataRandom = (provider: SimProvider) => createRandom(deriveSeed(seed, `data:${provider}`));

  const affogato = new AffogatoStore(dataRandom('affogato'), counts.affogato ?? 0);
  const mediapocket = new MediaPocketStore(
    dataRandom('mediapocket'),
    counts.mediapocket ?? 0,
    referenceTime,
    options.dagActions,
  );
  const roughy = new RoughyStore(dataRandom('roughy'), counts.roughy ?? 0, referenceTime);
  const stats = new StatsRecorder();
  const faults = new FaultInjector(seed, options.faults);
  const sleeper = new Sleeper();
  const limiters = new Map<SimProvider, SlidingWindowLimiter>();
  for (const provider of SIM_PROVIDERS) {
    const limit = options.rpsLimit?.[provider];
    if (limit !== undefined) limiters.set(provider, new SlidingWindowLimiter(limit));
  }
  const deps: PipelineDeps = {
    apis: {
      affogato: createAffogatoApi(affogato, apiKeys.affogato),
      mediapocket: createMediaPocketApi(mediapocket, apiKeys.mediapocket),
      roughy: createRoughyApi(roughy, apiKeys.roughy),
    },
    stats,
    faults,
    limiters,
    listHooks: new Map<SimProvider, { hook: ListPageHook; served: number }>(),
    latencyMs: Math.max(0, options.latencyMs ?? 0),
    sleeper,
  };
  const control = createControlApi({ affogato, mediapocket, roughy, stats, faults });

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'http://simulator.local');
    const [, first = '', ...rest] = url.pathname.split('/');
    const { body, invalid } = await readJsonBody(req);
    const incoming = {
      method: req.method ?? 'GET',
      path: `/${rest.join('/')}`,
      query: url.searchParams,
      headers: req.headers,
      body,
      bodyInvalid: invalid,
    };
    if (first === '__sim') {
      writeResponse(res, control({ ...incoming, params: {} }));
      return;
    }
    if (!isSimProvider(first)) {
      writeResponse(res, { status: 404, body: { error: `no such provider: ${first}` } });
      return;
    }
    const api = deps.apis[first];
    try {
      const response = await serveProviderRequest(deps, first, incoming);
      if (response === undefined) res.destroy();
      else writeResponse(res, response, api.commonHeaders());
    } catch {
      // A failing list hook (a test's own code) must not take the server down: answer as the provider would.
      stats.record(first, 'error', 500);
      writeResponse(res, api.internalError(), api.commonHeaders());
    }
  };

  const server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  // Clients keep connections alive between pages; a short idle timeout would only add reconnect noise.
  server.keepAliveTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;
  let closing: Promise<void> | undefined;

  return {
    url,
    baseUrls: { affogato: `${url}/affogato`, mediapocket: `${url}/mediapocket`, roughy: `${url}/roughy` },
    apiKeys,
    affogato,
    mediapocket,
    roughy,
    stats,
    setFaults: (provider, config) => faults.set(provider, config),
    onListPage: (provider, hook) => {
      if (hook === undefined) deps.listHooks.delete(provider);
      else deps.listHooks.set(provider, { hook, served: 0 });
    },
    close: () => {
      closing ??= new Promise<void>((resolve) => {
        sleeper.close();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
