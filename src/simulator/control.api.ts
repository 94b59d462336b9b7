import type { AffogatoStore } from './affogato/affogato.store.ts';
import { catalogTruth } from './catalog.truth.ts';
import type { FaultInjector } from './core/fault.injector.ts';
import { createRouter } from './core/route.match.ts';
import type { SimRequest, SimResponse } from './core/route.types.ts';
import type { StatsRecorder } from './core/stats.recorder.ts';
import type { MediaPocketStore } from './mediapocket/mediapocket.store.ts';
import type { RoughyStore } from './roughy/roughy.store.ts';
import { isSimProvider, type FaultConfig, type SimProvider } from './simulator.types.ts';

export interface ControlDeps {
  affogato: AffogatoStore;
  mediapocket: MediaPocketStore;
  roughy: RoughyStore;
  stats: StatsRecorder;
  faults: FaultInjector;
}

/**
 * `GET /__sim/truth/:provider` answer. `ids`/`assets` are what a complete listing returns, in listing order
 * (Affogato: archived ones included, with status 'archive'; Media Pocket: trashed ones excluded and given apart).
 */
export interface SimTruth {
  provider: SimProvider;
  count: number;
  ids: string[];
  assets: unknown[];
  trashed?: { ids: string[]; assets: unknown[] };
}

export function truthOf(deps: ControlDeps, provider: SimProvider): SimTruth {
  switch (provider) {
    case 'affogato': {
      const assets = deps.affogato.all();
      return { provider, count: assets.length, ids: assets.map((a) => a.id), assets };
    }
    case 'mediapocket': {
      const assets = deps.mediapocket.all();
      const trashed = deps.mediapocket.allTrashed();
      return {
        provider,
        count: assets.length,
        ids: assets.map((a) => a.id),
        assets,
        trashed: { ids: trashed.map((a) => a.id), assets: trashed },
      };
    }
    case 'roughy': {
      const assets = deps.roughy.all();
      return { provider, count: assets.length, ids: assets.map((a) => a.id), assets };
    }
  }
}

const FAULT_NUMBERS = [
  'rate429',
  'retryAfterSeconds',
  'rate500',
  'rate502Html',
  'rateSlow',
  'slowMs',
  'rateMalformedJson',
  'rateErrorIn200',
  'rateArchivePartial',
] as const;
const FAULT_FLAGS = ['retryAfterAsDate', 'onlyListing'] as const;

/** A FaultConfig from JSON, or an error message; `null` or `{}` clears the faults. */
export function parseFaultConfig(body: unknown): FaultConfig | undefined | string {
  if (body === null || body === undefined) return undefined;
  if (typeof body !== 'object' || Array.isArray(body)) return 'fault config must be a JSON object';
  const source = body as Record<string, unknown>;
  const config: FaultConfig = {};
  for (const [key, value] of Object.entries(source)) {
    if ((FAULT_NUMBERS as readonly string[]).includes(key)) {
      if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) return `${key} must be a number >= 0`;
      config[key as (typeof FAULT_NUMBERS)[number]] = value;
    } else if ((FAULT_FLAGS as readonly string[]).includes(key)) {
      if (typeof value !== 'boolean') return `${key} must be a boolean`;
      config[key as (typeof FAULT_FLAGS)[number]] = value;
    } else {
      return `unknown fault setting ${key}`;
    }
  }
  return Object.keys(config).length === 0 ? undefined : config;
}

function withProvider(request: SimRequest, then: (provider: SimProvider) => SimResponse): SimResponse {
  const name = request.params.provider ?? '';
  return isSimProvider(name) ? then(name) : { status: 404, body: { error: `unknown provider ${name}` } };
}

/** Overrides arrive as untyped JSON: the stores take them as given, like a test calling `add()` would. */
function addAsset(deps: ControlDeps, provider: SimProvider, overrides: object): unknown {
  switch (provider) {
    case 'affogato':
      return deps.affogato.add(overrides as Parameters<AffogatoStore['add']>[0]);
    case 'mediapocket':
      return deps.mediapocket.add(overrides as Parameters<MediaPocketStore['add']>[0]);
    case 'roughy':
      return deps.roughy.add(overrides as Parameters<RoughyStore['add']>[0]);
  }
}

/**
 * `/__sim/…`: the truth (`?shape=catalog` for CatalogTruthRow[]), stats and faults for a process that cannot
 * reach the stores (the demo, a benchmark driving a separate worker process). Also `POST /assets/:provider`
 * (field overrides) and `DELETE /assets/:provider/:id` to change the truth. Loopback only and unauthenticated.
 */
export function createControlApi(deps: ControlDeps): (request: SimRequest) => SimResponse {
  const match = createRouter([
    {
      method: 'GET',
      pattern: '/truth/:provider',
      operation: 'truth',
      handle: (r) =>
        withProvider(r, (p) => ({
          status: 200,
          body: r.query.get('shape') === 'catalog' ? catalogTruth(deps, p) : truthOf(deps, p),
        })),
    },
    {
      method: 'GET',
      pattern: '/stats',
      operation: 'stats',
      handle: () => ({ status: 200, body: deps.stats.snapshot() }),
    },
    {
      method: 'POST',
      pattern: '/reset-stats',
      operation: 'reset-stats',
      handle: () => {
        deps.stats.reset();
        return { status: 200, body: { ok: true } };
      },
    },
    {
      method: 'GET',
      pattern: '/faults/:provider',
      operation: 'faults',
      handle: (r) => withProvider(r, (p) => ({ status: 200, body: deps.faults.get(p) })),
    },
    {
      method: 'POST',
      pattern: '/faults/:provider',
      operation: 'faults',
      handle: (r) =>
        withProvider(r, (provider) => {
          const config = r.bodyInvalid ? 'body must be JSON' : parseFaultConfig(r.body);
          if (typeof config === 'string') return { status: 400, body: { error: config } };
          deps.faults.set(provider, config);
          return { status: 200, body: deps.faults.get(provider) };
        }),
    },
    {
      method: 'POST',
      pattern: '/assets/:provider',
      operation: 'add',
      handle: (r) =>
        withProvider(r, (provider) => {
          if (r.bodyInvalid || (r.body !== undefined && (typeof r.body !== 'object' || r.body === null))) {
            return { status: 400, body: { error: 'body must be a JSON object of field overrides' } };
          }
          try {
            return { status: 201, body: { asset: addAsset(deps, provider, (r.body ?? {}) as object) } };
          } catch (error) {
            return { status: 409, body: { error: (error as Error).message } };
          }
        }),
    },
    {
      method: 'DELETE',
      pattern: '/assets/:provider/:id',
      operation: 'remove',
      handle: (r) =>
        withProvider(r, (provider) => {
          const removed = deps[provider].remove(r.params.id ?? '');
          return removed ? { status: 200, body: { ok: true } } : { status: 404, body: { error: 'no such asset' } };
        }),
    },
  ]);
  return (request) => {
    const matched = match(request.method, request.path);
    if (matched === undefined) return { status: 404, body: { error: 'unknown control path' } };
    return matched.route.handle({ ...request, params: matched.params }, { faults: {}, faultRandom: Math.random });
  };
}
