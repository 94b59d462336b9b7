import { randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { createRouter, intParam } from '../core/route.match.ts';
import type { ProviderApi, Route, SimRequest, SimResponse } from '../core/route.types.ts';
import type { RoughyStore } from './roughy.store.ts';
import { ROUGHY_STATES, type RoughyState } from './roughy.wire.ts';

const DEFAULT_LIMIT = 20;
const MAX_LIMIT = 100;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function failure(status: number, code: string, message: string): SimResponse {
  return { status, body: { error: { code, message } } };
}

interface FieldError {
  field: string;
  message: string;
}

function validationError(fields: FieldError[]): SimResponse {
  return { status: 422, body: { error: { code: 'validation_error', message: 'Request validation failed.', fields } } };
}

function isState(value: string): value is RoughyState {
  return (ROUGHY_STATES as readonly string[]).includes(value);
}

function list(store: RoughyStore, request: SimRequest): SimResponse {
  const limit = intParam(request.query, 'limit') ?? DEFAULT_LIMIT;
  const offset = intParam(request.query, 'offset') ?? 0;
  const state = request.query.get('state') ?? undefined;
  const projectId = request.query.get('project_id') ?? undefined;
  const fields: FieldError[] = [];
  if (!Number.isInteger(limit)) fields.push({ field: 'query.limit', message: 'Input should be a valid integer' });
  else if (limit < 1) fields.push({ field: 'query.limit', message: 'Input should be greater than or equal to 1' });
  else if (limit > MAX_LIMIT) {
    fields.push({ field: 'query.limit', message: `Input should be less than or equal to ${MAX_LIMIT}` });
  }
  if (!Number.isInteger(offset)) fields.push({ field: 'query.offset', message: 'Input should be a valid integer' });
  else if (offset < 0) fields.push({ field: 'query.offset', message: 'Input should be greater than or equal to 0' });
  if (state !== undefined && !isState(state)) {
    fields.push({ field: 'query.state', message: `Input should be ${ROUGHY_STATES.map((s) => `'${s}'`).join(', ')}` });
  }
  if (projectId !== undefined && !UUID.test(projectId)) {
    fields.push({ field: 'query.project_id', message: 'Input should be a valid UUID' });
  }
  if (fields.length > 0) return validationError(fields);
  const query = { offset, limit, state: state as RoughyState | undefined, projectId: projectId?.toLowerCase() };
  const { items, total } = store.page(query);
  return { status: 200, body: { items, total, limit, offset } };
}

/** Ids are uuids: anything else fails path validation before any lookup, as a typed API framework would. */
function withAssetId(request: SimRequest, then: (id: string) => SimResponse): SimResponse {
  const id = request.params.id ?? '';
  if (!UUID.test(id)) return validationError([{ field: 'path.asset_id', message: 'Input should be a valid UUID' }]);
  return then(id.toLowerCase());
}

const notFound = (): SimResponse => failure(404, 'not_found', 'Asset not found.');

/** Roughy's surface: bearer auth, `{error: {code, message}}` failures, offset listing, detail, 204 delete. */
export function createRoughyApi(store: RoughyStore, apiKey: string): ProviderApi {
  const routes: Route[] = [
    { method: 'GET', pattern: '/v1/assets', operation: 'list', listing: true, handle: (r) => list(store, r) },
    {
      method: 'GET',
      pattern: '/v1/assets/:id',
      operation: 'get',
      handle: (r) =>
        withAssetId(r, (id) => {
          const detail = store.detail(id);
          return detail === undefined ? notFound() : { status: 200, body: detail };
        }),
    },
    {
      method: 'DELETE',
      pattern: '/v1/assets/:id',
      operation: 'delete',
      targets: (r) => [r.params.id ?? ''],
      handle: (r) => withAssetId(r, (id) => (store.remove(id) ? { status: 204 } : notFound())),
    },
  ];
  return {
    provider: 'roughy',
    match: createRouter(routes),
    authorized: (headers: IncomingHttpHeaders) => headers.authorization === `Bearer ${apiKey}`,
    unauthorized: () => failure(401, 'unauthenticated', 'Missing or invalid API key.'),
    notFound: () => failure(404, 'not_found', 'Not found.'),
    rateLimited: (retryAfter) => ({
      ...failure(429, 'rate_limited', 'Too many requests. Retry after the time in Retry-After.'),
      headers: { 'retry-after': retryAfter },
    }),
    internalError: () => failure(500, 'internal_error', 'An internal error occurred.'),
    errorIn200: () => undefined,
    malformedBody: () => '{"items":[{"id":"',
    emptyListing: (request) => ({
      status: 200,
      body: { items: [], total: 0, limit: Number(request.query.get('limit') ?? 20), offset: Number(request.query.get('offset') ?? 0) },
    }),
    commonHeaders: () => ({ 'x-request-id': `req_${randomUUID().replaceAll('-', '')}` }),
  };
}
