/**
 * Media Pocket HTTP calls (per-tenant base URL, `X-API-KEY`). Errors are `{"error": "..."}`; the reference shows
 * 200 answers carrying `error` (assign) or `errors` (DELETE .../media): a 2xx body with either is a failure.
 */
import type { ProviderConfig } from '../../config.ts';
import { ProviderError } from '../../errors.ts';
import { createProviderHttp, statusKind, type EnvelopeFailure, type ProviderHttp } from '../../http/provider-http.ts';
import type { RateLimiter } from '../../http/rate-limiter.ts';
import type { Logger } from '../../logger.ts';

export const MEDIAPOCKET_MAX_PER_PAGE = 100;

/** The failure an `error`/`errors` value reports; undefined when it reports none (absent, null, empty). */
function describe(value: unknown): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value === 'string') return value.trim() === '' ? undefined : value;
  if (typeof value === 'object') {
    if (Object.keys(value).length === 0) return undefined;
    // `errors: {error, status}` as DELETE .../media answers
    const inner = (value as { error?: unknown }).error;
    if (typeof inner === 'string' && inner.trim() !== '') return inner;
    return JSON.stringify(value).slice(0, 200);
  }
  return String(value);
}

export function readMediaPocketEnvelope(status: number, body: unknown): EnvelopeFailure | undefined {
  const envelope = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as { error?: unknown; errors?: unknown }) : {};
  const message = describe(envelope.error) ?? describe(envelope.errors);
  if (status >= 200 && status < 300) {
    // the provider reports these failures with a 200: nothing says a repeat would work, so never retry them
    return message === undefined ? undefined : { kind: 'permanent', message: `error in a ${status} body: ${message}` };
  }
  return { kind: statusKind(status), message: message ?? 'error' };
}

export interface MediaPocketListPage {
  assets: unknown[];
  /** null when the listing ends */
  nextCursor: string | null;
}

export interface MediaPocketClient {
  listAssets(cursor: string | undefined, perPage: number): Promise<MediaPocketListPage>;
  getAsset(assetId: string): Promise<unknown>;
  trash(assetId: string): Promise<void>;
  restore(assetId: string): Promise<void>;
  deleteAsset(assetId: string): Promise<void>;
  startDagAction(assetId: string, dagActionId: string): Promise<unknown>;
  listDagRuns(assetId: string): Promise<unknown[]>;
  close(): Promise<void>;
}

export interface MediaPocketClientDeps {
  config: ProviderConfig;
  rateLimiter: RateLimiter;
  logger: Logger;
  http?: Partial<Parameters<typeof createProviderHttp>[0]>;
}

function malformed(operation: string, what: string): ProviderError {
  return new ProviderError(`mediapocket: ${operation} failed: ${what}`, { provider: 'mediapocket', kind: 'retryable', operation });
}

function field(body: unknown, name: string): unknown {
  return typeof body === 'object' && body !== null ? (body as Record<string, unknown>)[name] : undefined;
}

const assetPath = (assetId: string) => `/api/v2/assets/${encodeURIComponent(assetId)}`;

export function createMediaPocketClient(deps: MediaPocketClientDeps): MediaPocketClient {
  const http: ProviderHttp = createProviderHttp({
    provider: 'mediapocket',
    baseUrl: deps.config.baseUrl,
    authHeaders: () => ({ 'x-api-key': deps.config.apiKey.reveal() }),
    readEnvelope: readMediaPocketEnvelope,
    rateLimiter: deps.rateLimiter,
    logger: deps.logger,
    ...deps.http,
  });

  async function post(path: string, operation: string, idempotent = true): Promise<unknown> {
    return (await http.send({ method: 'POST', path, operation, idempotent })).body;
  }

  return {
    async listAssets(cursor, perPage) {
      const operation = `list assets${cursor === undefined ? ' (first page)' : ''}`;
      const { body } = await http.send({ method: 'GET', path: '/api/v2/assets', query: { cursor, per_page: perPage }, operation });
      const assets = field(body, 'assets');
      const next = field(body, 'next_cursor');
      if (!Array.isArray(assets)) throw malformed(operation, 'the answer has no "assets" array');
      if (next !== null && next !== undefined && typeof next !== 'string') throw malformed(operation, '"next_cursor" is not a string');
      return { assets, nextCursor: typeof next === 'string' && next !== '' ? next : null };
    },
    async getAsset(assetId) {
      const operation = `get asset ${assetId}`;
      const { body } = await http.send({ method: 'GET', path: assetPath(assetId), operation });
      const asset = field(body, 'asset');
      if (typeof asset !== 'object' || asset === null) throw malformed(operation, 'the answer has no "asset" object');
      return asset;
    },
    async trash(assetId) {
      await post(`${assetPath(assetId)}/trash_bin`, `trash asset ${assetId}`);
    },
    async restore(assetId) {
      await post(`${assetPath(assetId)}/restore`, `restore asset ${assetId}`);
    },
    async deleteAsset(assetId) {
      await http.send({ method: 'DELETE', path: assetPath(assetId), operation: `delete asset ${assetId}` });
    },
    async startDagAction(assetId, dagActionId) {
      const operation = `start DAG action ${dagActionId} on asset ${assetId}`;
      // starting a run twice would run the action twice: never resent after a failure that may have started it
      const body = await post(`${assetPath(assetId)}/dag_actions/${encodeURIComponent(dagActionId)}`, operation, false);
      const run = field(body, 'dag_action_run');
      if (typeof run !== 'object' || run === null) throw malformed(operation, 'the answer has no "dag_action_run" object');
      return run;
    },
    async listDagRuns(assetId) {
      const operation = `list DAG action runs of asset ${assetId}`;
      const { body } = await http.send({ method: 'GET', path: `${assetPath(assetId)}/dag_action_runs`, operation });
      const runs = field(body, 'dag_action_runs');
      if (!Array.isArray(runs)) throw malformed(operation, 'the answer has no "dag_action_runs" array');
      return runs;
    },
    close: () => http.close(),
  };
}
