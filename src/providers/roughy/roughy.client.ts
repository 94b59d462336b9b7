/**
 * Roughy HTTP calls: `Authorization: Bearer`, errors `{"error": {code, message, fields?}}` classified by `code`
 * (never by the message), and the `X-Request-Id` of every failure carried into its error and log line.
 */
import type { ProviderConfig } from '../../config.ts';
import { ProviderError, type ProviderErrorKind } from '../../errors.ts';
import { createProviderHttp, statusKind, type EnvelopeFailure, type ProviderHttp } from '../../http/provider-http.ts';
import type { RateLimiter } from '../../http/rate-limiter.ts';
import type { Logger } from '../../logger.ts';

export const ROUGHY_MAX_LIMIT = 100;

/** Roughy's closed ErrorCode enum (roughy-delete-asset.md) → what a client should do about it. */
export function roughyCodeKind(code: string): ProviderErrorKind {
  switch (code) {
    case 'rate_limited':
      return 'rate_limited';
    case 'not_found':
    case 'gone':
      return 'not_found';
    case 'unauthenticated':
    case 'forbidden':
    case 'account_locked':
      return 'auth';
    case 'internal_error':
    case 'upstream_error':
    case 'upstream_unavailable':
      return 'retryable';
    default:
      return 'permanent';
  }
}

export function readRoughyEnvelope(status: number, body: unknown): EnvelopeFailure | undefined {
  const error = typeof body === 'object' && body !== null ? (body as { error?: unknown }).error : undefined;
  const { code, message } = typeof error === 'object' && error !== null ? (error as { code?: unknown; message?: unknown }) : {};
  const ok = status >= 200 && status < 300;
  if (ok && (error === undefined || error === null)) return undefined;
  const text = typeof message === 'string' ? message : 'error';
  if (typeof code === 'string') return { kind: roughyCodeKind(code), message: `${code}: ${text}`, code };
  // no code to switch on (a proxy's answer, or an unexpected body): the status is all we have
  return { kind: ok ? 'permanent' : statusKind(status), message: text };
}

export interface RoughyListPage {
  items: unknown[];
  total: number | undefined;
}

export interface RoughyClient {
  listAssets(offset: number, limit: number): Promise<RoughyListPage>;
  getAsset(assetId: string): Promise<unknown>;
  deleteAsset(assetId: string): Promise<void>;
  close(): Promise<void>;
}

export interface RoughyClientDeps {
  config: ProviderConfig;
  rateLimiter: RateLimiter;
  logger: Logger;
  http?: Partial<Parameters<typeof createProviderHttp>[0]>;
}

function malformed(operation: string, what: string, requestId: string | undefined): ProviderError {
  const idPart = requestId === undefined ? '' : ` (request id ${requestId})`;
  return new ProviderError(`roughy: ${operation} failed: ${what}${idPart}`, { provider: 'roughy', kind: 'retryable', operation, requestId });
}

const assetPath = (assetId: string) => `/v1/assets/${encodeURIComponent(assetId)}`;

export function createRoughyClient(deps: RoughyClientDeps): RoughyClient {
  const http: ProviderHttp = createProviderHttp({
    provider: 'roughy',
    baseUrl: deps.config.baseUrl,
    authHeaders: () => ({ authorization: `Bearer ${deps.config.apiKey.reveal()}` }),
    readEnvelope: readRoughyEnvelope,
    requestIdHeader: 'x-request-id',
    rateLimiter: deps.rateLimiter,
    logger: deps.logger,
    ...deps.http,
  });
  return {
    async listAssets(offset, limit) {
      const operation = `list assets offset ${offset}`;
      const { body, requestId } = await http.send({ method: 'GET', path: '/v1/assets', query: { limit, offset }, operation });
      const { items, total } = (body ?? {}) as { items?: unknown; total?: unknown };
      if (!Array.isArray(items)) throw malformed(operation, 'the answer has no "items" array', requestId);
      return { items, total: typeof total === 'number' && Number.isInteger(total) ? total : undefined };
    },
    async getAsset(assetId) {
      const operation = `get asset ${assetId}`;
      const { body, requestId } = await http.send({ method: 'GET', path: assetPath(assetId), operation });
      if (typeof body !== 'object' || body === null || Array.isArray(body)) throw malformed(operation, 'the answer is not an asset object', requestId);
      return body;
    },
    async deleteAsset(assetId) {
      await http.send({ method: 'DELETE', path: assetPath(assetId), operation: `delete asset ${assetId}` });
    },
    close: () => http.close(),
  };
}
