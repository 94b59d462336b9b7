/** Shelf's HTTP calls, through the worker's one request path (timeouts, retries, 429s, the shared rate budget). */
import type { ProviderConfig } from '../../src/config.ts';
import { createProviderHttp, statusKind, type EnvelopeFailure } from '../../src/http/provider-http.ts';
import type { RateLimiter } from '../../src/http/rate-limiter.ts';
import type { Logger } from '../../src/logger.ts';

export interface ShelfClient {
  listItems(page: number, size: number): Promise<{ items: unknown[]; total: number }>;
  getItem(id: string): Promise<unknown>;
  shelve(ids: string[]): Promise<string[]>;
  deleteItem(id: string): Promise<void>;
  close(): Promise<void>;
}

function readEnvelope(status: number, body: unknown): EnvelopeFailure | undefined {
  if (status >= 200 && status < 300) return undefined;
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return { kind: statusKind(status), message: `${error?.code ?? status}: ${error?.message ?? 'error'}`, code: error?.code };
}

export function createShelfClient(deps: { config: ProviderConfig; rateLimiter: RateLimiter; logger: Logger }): ShelfClient {
  const http = createProviderHttp({
    provider: 'shelf',
    baseUrl: deps.config.baseUrl,
    authHeaders: () => ({ 'x-shelf-key': deps.config.apiKey.reveal() }),
    readEnvelope,
    rateLimiter: deps.rateLimiter,
    logger: deps.logger,
  });
  const path = (id: string) => `/items/${encodeURIComponent(id)}`;
  return {
    async listItems(page, size) {
      const { body } = await http.send({ method: 'GET', path: '/items', query: { page, size }, operation: `list items page ${page}` });
      return body as { items: unknown[]; total: number };
    },
    async getItem(id) {
      return (await http.send({ method: 'GET', path: path(id), operation: `get item ${id}` })).body;
    },
    async shelve(ids) {
      const { body } = await http.send({ method: 'POST', path: '/items/shelve', body: { ids }, operation: `shelve ${ids.length} items` });
      return (body as { shelved: string[] }).shelved;
    },
    async deleteItem(id) {
      await http.send({ method: 'DELETE', path: path(id), operation: `delete item ${id}` });
    },
    close: () => http.close(),
  };
}
