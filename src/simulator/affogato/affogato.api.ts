import type { IncomingHttpHeaders } from 'node:http';
import { createRouter, intParam } from '../core/route.match.ts';
import type { ProviderApi, Route, RouteContext, SimRequest, SimResponse } from '../core/route.types.ts';
import type { Random } from '../core/seeded.random.ts';
import type { AffogatoStore } from './affogato.store.ts';
import { AFFOGATO_TYPES, type AffogatoAssetType } from './affogato.wire.ts';

const DEFAULT_PAGE_SIZE = 10;
const MAX_PAGE_SIZE = 50;

function failure(status: number, code: string, message: string): SimResponse {
  return { status, body: { data: null, err: { code, message } } };
}

function isAssetType(value: string): value is AffogatoAssetType {
  return (AFFOGATO_TYPES as readonly string[]).includes(value);
}

function list(store: AffogatoStore, request: SimRequest): SimResponse {
  const page = intParam(request.query, 'page') ?? 1;
  const pageSize = intParam(request.query, 'page_size') ?? DEFAULT_PAGE_SIZE;
  const type = request.query.get('type') ?? undefined;
  if (!Number.isInteger(page) || page < 1) {
    return failure(422, 'validation_error', 'page must be an integer greater than or equal to 1');
  }
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
    return failure(422, 'validation_error', `page_size must be an integer between 1 and ${MAX_PAGE_SIZE}`);
  }
  if (type !== undefined && !isAssetType(type)) {
    return failure(422, 'validation_error', `type must be one of: ${AFFOGATO_TYPES.join(', ')}`);
  }
  const { items, total } = store.page(page, pageSize, type);
  return { status: 200, body: { data: items, err: {}, pagination: { page, page_size: pageSize, total } } };
}

function detail(store: AffogatoStore, request: SimRequest): SimResponse {
  const id = request.params.id ?? '';
  const asset = store.get(id);
  if (asset === undefined) return failure(404, 'not_found', `Asset ${id} not found`);
  return { status: 200, body: { data: asset, err: {} } };
}

function archiveIds(request: SimRequest): string[] | undefined {
  const body = request.body;
  if (body === null || typeof body !== 'object' || !('ids' in body)) return undefined;
  const ids: unknown = body.ids;
  if (!Array.isArray(ids) || ids.length === 0 || !ids.every((id) => typeof id === 'string')) return undefined;
  return ids as string[];
}

/** About half of the known ids, at least one, chosen by the fault stream. */
function idsToDrop(store: AffogatoStore, ids: readonly string[], random: Random): Set<string> {
  const known = [...new Set(ids)].filter((id) => store.get(id) !== undefined);
  for (let i = known.length - 1; i > 0; i -= 1) {
    const j = Math.floor(random() * (i + 1));
    const swap = known[i] as string;
    known[i] = known[j] as string;
    known[j] = swap;
  }
  return new Set(known.slice(0, Math.max(1, Math.floor(known.length / 2))));
}

function archive(store: AffogatoStore, request: SimRequest, context: RouteContext): SimResponse {
  if (request.bodyInvalid) return failure(400, 'bad_request', 'Request body must be JSON');
  const ids = archiveIds(request);
  if (ids === undefined) return failure(422, 'validation_error', 'ids must be a non-empty array of asset ids');
  const partialRate = context.faults.rateArchivePartial ?? 0;
  if (partialRate > 0 && context.faultRandom() < partialRate) {
    const dropped = idsToDrop(store, ids, context.faultRandom);
    return { status: 200, body: { data: store.archive(ids.filter((id) => !dropped.has(id))), err: {} } };
  }
  return { status: 200, body: { data: store.archive(ids), err: {} } };
}

/** Affogato's surface: `X-API-KEY`, `{data, err}` envelopes, v2 listing/detail and the v1 batch archive. */
export function createAffogatoApi(store: AffogatoStore, apiKey: string): ProviderApi {
  const routes: Route[] = [
    { method: 'GET', pattern: '/pub/v2/assets', operation: 'list', listing: true, handle: (r) => list(store, r) },
    { method: 'GET', pattern: '/pub/v2/assets/:id', operation: 'get', handle: (r) => detail(store, r) },
    {
      method: 'POST',
      pattern: '/pub/v1/assets/archive',
      operation: 'archive',
      targets: (r) => archiveIds(r) ?? [],
      handle: (r, context) => archive(store, r, context),
    },
  ];
  const match = createRouter(routes);
  return {
    provider: 'affogato',
    match,
    authorized: (headers: IncomingHttpHeaders) => headers['x-api-key'] === apiKey,
    unauthorized: () => failure(401, 'unauthorized', 'Invalid or missing API key'),
    notFound: () => failure(404, 'not_found', 'Not found'),
    rateLimited: (retryAfter) => ({
      ...failure(429, 'rate_limited', 'Too many requests, slow down'),
      headers: { 'retry-after': retryAfter },
    }),
    internalError: () => failure(500, 'internal_error', 'Internal server error'),
    errorIn200: () => failure(200, 'internal_error', 'Something went wrong, please try again'),
    malformedBody: () => '{"data":[{"id":"ast_',
    emptyListing: (request) => ({
      status: 200,
      body: { data: [], err: {}, pagination: { page: Number(request.query.get('page') ?? 1), page_size: Number(request.query.get('page_size') ?? 10), total: 0 } },
    }),
    commonHeaders: () => ({}),
  };
}
