/**
 * Affogato (RenderNet) HTTP calls. Envelope {data, err, pagination?}: a non-empty `err` is a failure even with
 * HTTP 200.
 */
import type { ProviderConfig } from '../../config.ts';
import type { Logger } from '../../logger.ts';
import { createProviderHttp, statusKind, type EnvelopeFailure, type ProviderHttp } from '../../http/provider-http.ts';
import type { RateLimiter } from '../../http/rate-limiter.ts';
import { ProviderError } from '../../errors.ts';

export const AFFOGATO_MAX_PAGE_SIZE = 50;

export function readAffogatoEnvelope(status: number, body: unknown): EnvelopeFailure | undefined {
  const envelope = typeof body === 'object' && body !== null ? (body as { err?: unknown }) : undefined;
  const err = envelope?.err;
  const hasErr = typeof err === 'object' && err !== null && Object.keys(err).length > 0;
  const code = hasErr ? (err as { code?: unknown }).code : undefined;
  const message = hasErr ? (err as { message?: unknown }).message : undefined;
  const detail = `${typeof code === 'string' ? `${code}: ` : ''}${typeof message === 'string' ? message : 'error'}`;
  if (status >= 200 && status < 300) {
    // The public docs list no err codes, so a 200 carrying one is treated as transient: reads are safe to repeat
    // and archiving an archived id is harmless. Persistent ones fail after the retries with this message.
    return hasErr ? { kind: 'retryable', message: `error in a 200 body: ${detail}`, code: typeof code === 'string' ? code : undefined } : undefined;
  }
  return { kind: statusKind(status), message: hasErr ? detail : 'error', code: typeof code === 'string' ? code : undefined };
}

export interface AffogatoListPage {
  items: unknown[];
  total: number | undefined;
}

export interface AffogatoClient {
  listAssets(page: number, pageSize: number): Promise<AffogatoListPage>;
  getAsset(assetId: string): Promise<unknown>;
  archive(assetIds: string[]): Promise<unknown[]>;
  close(): Promise<void>;
}

export interface AffogatoClientDeps {
  config: ProviderConfig;
  rateLimiter: RateLimiter;
  logger: Logger;
  http?: Partial<Parameters<typeof createProviderHttp>[0]>;
}

function malformed(operation: string, what: string): ProviderError {
  return new ProviderError(`affogato: ${operation} failed: ${what}`, { provider: 'affogato', kind: 'retryable', operation });
}

export function createAffogatoClient(deps: AffogatoClientDeps): AffogatoClient {
  const http: ProviderHttp = createProviderHttp({
    provider: 'affogato',
    baseUrl: deps.config.baseUrl,
    authHeaders: () => ({ 'x-api-key': deps.config.apiKey.reveal() }),
    readEnvelope: readAffogatoEnvelope,
    rateLimiter: deps.rateLimiter,
    logger: deps.logger,
    ...deps.http,
  });
  return {
    async listAssets(page, pageSize) {
      const operation = `list assets page ${page}`;
      const { body } = await http.send({ method: 'GET', path: '/pub/v2/assets', query: { page, page_size: pageSize }, operation });
      const { data, pagination } = (body ?? {}) as { data?: unknown; pagination?: { total?: unknown } };
      if (!Array.isArray(data)) throw malformed(operation, 'the answer has no "data" array');
      const total = pagination?.total;
      return { items: data, total: typeof total === 'number' ? total : undefined };
    },
    async getAsset(assetId) {
      const operation = `get asset ${assetId}`;
      const { body } = await http.send({ method: 'GET', path: `/pub/v2/assets/${encodeURIComponent(assetId)}`, operation });
      const data = (body as { data?: unknown } | undefined)?.data;
      if (typeof data !== 'object' || data === null) throw malformed(operation, 'the answer has no "data" object');
      return data;
    },
    async archive(assetIds) {
      const operation = `archive ${assetIds.length} assets`;
      const { body } = await http.send({ method: 'POST', path: '/pub/v1/assets/archive', body: { ids: assetIds }, operation });
      const data = (body as { data?: unknown } | undefined)?.data;
      if (!Array.isArray(data)) throw malformed(operation, 'the answer has no "data" array');
      return data;
    },
    close: () => http.close(),
  };
}
