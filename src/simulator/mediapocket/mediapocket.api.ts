import type { IncomingHttpHeaders } from 'node:http';
import { createRouter, intParam } from '../core/route.match.ts';
import type { ProviderApi, Route, SimRequest, SimResponse } from '../core/route.types.ts';
import { decodeCursor, encodeCursor } from './mediapocket.cursor.ts';
import type { MediaPocketStore } from './mediapocket.store.ts';
import type { MediaPocketAsset, MediaPocketPermission } from './mediapocket.wire.ts';

const DEFAULT_PER_PAGE = 25;
const MAX_PER_PAGE = 100;
const OK: SimResponse = { status: 200, body: { ok: 'ok' } };

function failure(status: number, message: string): SimResponse {
  return { status, body: { error: message } };
}

const assetNotFound = (): SimResponse => failure(404, 'asset not found');
const permissionDenied = (kind: MediaPocketPermission): SimResponse =>
  failure(403, `Permission denied. Must have ${kind} permissions.`);

function list(store: MediaPocketStore, request: SimRequest): SimResponse {
  const perPage = intParam(request.query, 'per_page') ?? DEFAULT_PER_PAGE;
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > MAX_PER_PAGE) {
    const raw = request.query.get('per_page') ?? '';
    const rule = `Must be a number between 1 and ${MAX_PER_PAGE}.`;
    return failure(422, `Invalid parameter 'per_page' value ${JSON.stringify(raw)}: ${rule}`);
  }
  const token = request.query.get('cursor');
  const after = token === null || token === '' ? undefined : decodeCursor(token);
  if (token !== null && token !== '' && after === undefined) {
    return failure(422, `Invalid parameter 'cursor' value ${JSON.stringify(token)}: Invalid cursor`);
  }
  const page = store.page(after, perPage);
  const nextCursor = page.next === undefined ? null : encodeCursor(page.next);
  return { status: 200, body: { assets: page.assets, next_cursor: nextCursor } };
}

function withAsset(store: MediaPocketStore, request: SimRequest, then: (id: string) => SimResponse): SimResponse {
  const id = request.params.id ?? '';
  return store.get(id) === undefined ? assetNotFound() : then(id);
}

type UpdatePatch = Partial<Pick<MediaPocketAsset, 'title' | 'description' | 'category' | 'tags' | 'external_id'>>;

/** PUT's params as the reference validates them: strings, tags an array of strings; category and tags lowercased. */
function updatePatch(body: unknown): UpdatePatch | string {
  const source = body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {};
  const patch: UpdatePatch = {};
  for (const name of ['title', 'description', 'category', 'external_id'] as const) {
    const value = source[name];
    if (value === undefined) continue;
    if (typeof value !== 'string') return `Invalid parameter '${name}' value ${JSON.stringify(value)}: Must be a String`;
    patch[name] = name === 'category' ? value.toLowerCase() : value;
  }
  const tags = source.tags;
  if (tags !== undefined) {
    if (!Array.isArray(tags) || !tags.every((tag) => typeof tag === 'string')) {
      return `Invalid parameter 'tags' value ${JSON.stringify(tags)}: Must be an array of String`;
    }
    patch.tags = tags.map((tag) => tag.toLowerCase());
  }
  return patch;
}

function update(store: MediaPocketStore, request: SimRequest): SimResponse {
  return withAsset(store, request, (id) => {
    if (request.bodyInvalid) return failure(400, 'Invalid JSON body');
    const patch = updatePatch(request.body);
    if (typeof patch === 'string') return failure(422, patch);
    if (patch.title !== undefined && patch.title.length > 255) {
      return failure(400, 'Title is too long (maximum is 255 characters)');
    }
    return { status: 200, body: { asset: store.update(id, patch) } };
  });
}

function restore(store: MediaPocketStore, request: SimRequest): SimResponse {
  const outcome = store.restore(request.params.id ?? '');
  if (outcome === 'not_found') return assetNotFound();
  if (outcome === 'not_trashed') return failure(400, 'Can not restore Assets that is not in trash bin');
  return OK;
}

function startDagAction(store: MediaPocketStore, request: SimRequest): SimResponse {
  return withAsset(store, request, (id) => {
    if (store.isDenied('ACTIONS_START')) return permissionDenied('ACTIONS_START');
    const raw = request.params.actionId ?? '';
    const run = /^\d+$/.test(raw) ? store.startDagAction(id, Number(raw)) : undefined;
    if (run === undefined) return failure(404, `Couldn't find DagAction with 'id'=${raw}`);
    return { status: 200, body: { dag_action_run: run } };
  });
}

const idTarget = (request: SimRequest): string[] => [request.params.id ?? ''];

/**
 * Media Pocket's surface: `X-API-KEY`, `{"error": "..."}` failures, the assumed cursor listing, asset detail and
 * update, trash bin / restore / permanent delete, DAG actions and runs.
 */
export function createMediaPocketApi(store: MediaPocketStore, apiKey: string): ProviderApi {
  const routes: Route[] = [
    { method: 'GET', pattern: '/api/v2/assets', operation: 'list', listing: true, handle: (r) => list(store, r) },
    {
      method: 'GET',
      pattern: '/api/v2/assets/:id',
      operation: 'get',
      handle: (r) => withAsset(store, r, (id) => ({ status: 200, body: { asset: store.get(id) } })),
    },
    { method: 'PUT', pattern: '/api/v2/assets/:id', operation: 'update', handle: (r) => update(store, r) },
    {
      method: 'POST',
      pattern: '/api/v2/assets/:id/trash_bin',
      operation: 'trash',
      targets: idTarget,
      handle: (r) => (store.trash(r.params.id ?? '') ? OK : assetNotFound()),
    },
    {
      method: 'POST',
      pattern: '/api/v2/assets/:id/restore',
      operation: 'restore',
      targets: idTarget,
      handle: (r) => restore(store, r),
    },
    {
      method: 'DELETE',
      pattern: '/api/v2/assets/:id',
      operation: 'delete',
      targets: idTarget,
      handle: (r) => (store.remove(r.params.id ?? '') ? OK : assetNotFound()),
    },
    {
      method: 'GET',
      pattern: '/api/v2/assets/:id/dag_actions',
      operation: 'dag.actions',
      handle: (r) =>
        withAsset(store, r, () =>
          store.isDenied('ACTIONS_VIEW')
            ? permissionDenied('ACTIONS_VIEW')
            : { status: 200, body: { dag_actions: store.dagActions() } },
        ),
    },
    {
      method: 'POST',
      pattern: '/api/v2/assets/:id/dag_actions/:actionId',
      operation: 'dag.start',
      handle: (r) => startDagAction(store, r),
    },
    {
      method: 'GET',
      pattern: '/api/v2/assets/:id/dag_action_runs',
      operation: 'dag.runs',
      handle: (r) =>
        withAsset(store, r, (id) =>
          store.isDenied('ACTIONS_VIEW')
            ? permissionDenied('ACTIONS_VIEW')
            : { status: 200, body: { dag_action_runs: store.pollDagRuns(id) } },
        ),
    },
  ];
  return {
    provider: 'mediapocket',
    match: createRouter(routes),
    authorized: (headers: IncomingHttpHeaders) => headers['x-api-key'] === apiKey,
    unauthorized: () => failure(401, 'Unauthorized'),
    notFound: () => failure(404, 'Not found'),
    rateLimited: (retryAfter) => ({ ...failure(429, 'Rate limit exceeded'), headers: { 'retry-after': retryAfter } }),
    internalError: () => failure(500, 'Internal Server Error'),
    errorIn200: () => failure(200, 'Something went wrong. Please try again later.'),
    malformedBody: () => '{"assets":[{"id":"',
    emptyListing: () => ({ status: 200, body: { assets: [], next_cursor: null } }),
    commonHeaders: () => ({}),
  };
}
