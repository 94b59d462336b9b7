import type { IncomingHttpHeaders } from 'node:http';
import type { SimProvider } from '../simulator.types.ts';
import type { FaultInjector } from './fault.injector.ts';
import type { Sleeper } from './http.io.ts';
import { HTML_502 } from './route.match.ts';
import type { ProviderApi, RouteMatch, SimRequest, SimResponse } from './route.types.ts';
import type { SlidingWindowLimiter } from './sliding.window.ts';
import type { StatsRecorder } from './stats.recorder.ts';

export type ListPageHook = (pageRequestNumber: number) => void;

export interface PipelineDeps {
  apis: Record<SimProvider, ProviderApi>;
  stats: StatsRecorder;
  faults: FaultInjector;
  limiters: Map<SimProvider, SlidingWindowLimiter>;
  listHooks: Map<SimProvider, { hook: ListPageHook; served: number }>;
  latencyMs: number;
  sleeper: Sleeper;
}

export interface IncomingProviderRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  body: unknown;
  bodyInvalid: boolean;
}

/**
 * One provider request, in the order a real service answers: route, authentication, rate limit, then (instead
 * of the handler) an injected fault. Every answer is counted; destructive calls are logged whatever their status.
 */
export async function serveProviderRequest(
  deps: PipelineDeps,
  provider: SimProvider,
  incoming: IncomingProviderRequest,
): Promise<SimResponse | undefined> {
  const api = deps.apis[provider];
  await deps.sleeper.sleep(deps.latencyMs);
  const matched = api.match(incoming.method, incoming.path);
  const operation = matched?.route.operation ?? 'unknown';
  const request: SimRequest = { ...incoming, params: matched?.params ?? {} };
  const response = await answer(deps, api, matched, request);
  if (deps.sleeper.isClosed) return undefined;
  deps.stats.record(provider, operation, response.status);
  const targets = matched?.route.targets;
  if (targets !== undefined) {
    deps.stats.recordDestructive({
      provider,
      operation,
      assetIds: targets(request),
      status: response.status,
      at: new Date().toISOString(),
    });
  }
  return response;
}

async function answer(
  deps: PipelineDeps,
  api: ProviderApi,
  matched: RouteMatch | undefined,
  request: SimRequest,
): Promise<SimResponse> {
  const provider = api.provider;
  if (matched === undefined) return api.notFound();
  if (!api.authorized(request.headers)) return api.unauthorized();
  const limiter = deps.limiters.get(provider);
  if (limiter !== undefined && !limiter.tryAcquire()) return api.rateLimited('1');

  const listing = matched.route.listing === true;
  const decision = deps.faults.decide(provider, listing);
  await deps.sleeper.sleep(decision.slowMs);
  switch (decision.fault) {
    case 'rate429':
      return api.rateLimited(deps.faults.retryAfter(provider));
    case 'rate500':
      return api.internalError();
    case 'rate502Html':
      return { status: 502, text: HTML_502, contentType: 'text/html' };
    case 'malformedJson':
      return { status: 200, text: api.malformedBody(), contentType: 'application/json; charset=utf-8' };
    case 'errorIn200':
      return api.errorIn200() ?? serve(deps, provider, matched, request, listing);
    case undefined:
      return serve(deps, provider, matched, request, listing);
  }
}

function serve(
  deps: PipelineDeps,
  provider: SimProvider,
  matched: RouteMatch,
  request: SimRequest,
  listing: boolean,
): SimResponse {
  if (listing) {
    if (deps.faults.get(provider).emptyListing === true) return deps.apis[provider].emptyListing(request);
    const entry = deps.listHooks.get(provider);
    if (entry !== undefined) {
      entry.served += 1;
      entry.hook(entry.served);
    }
  }
  const context = { faults: deps.faults.get(provider), faultRandom: deps.faults.random(provider) };
  return matched.route.handle(request, context);
}
