/**
 * "Shelf", a test-only fifth provider's API, served over real HTTP on 127.0.0.1: a page-numbered listing with a
 * total, a detail endpoint, a multi-id "shelve" (its archive, status "shelved") and a per-id delete. In memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { readJsonBody, writeResponse } from '../../src/simulator/core/http.io.ts';

export const SHELF_API_KEY = 'shelf-test-key';

export interface ShelfAsset {
  id: string;
  kind: 'image' | 'document';
  status: 'active' | 'shelved';
  created_at: string;
}

export interface ShelfServer {
  readonly baseUrl: string;
  readonly assets: Map<string, ShelfAsset>;
  /** every request as "METHOD path", in arrival order */
  readonly calls: string[];
  close(): Promise<void>;
}

function send(response: ServerResponse, status: number, body?: unknown): void {
  writeResponse(response, { status, body });
}

export async function startShelfServer(count: number): Promise<ShelfServer> {
  const assets = new Map<string, ShelfAsset>();
  for (let i = 1; i <= count; i += 1) {
    const id = `shelf-${String(i).padStart(4, '0')}`;
    assets.set(id, { id, kind: i % 2 === 0 ? 'document' : 'image', status: 'active', created_at: new Date(Date.UTC(2024, 0, i)).toISOString() });
  }
  const calls: string[] = [];
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1');
    calls.push(`${request.method} ${url.pathname}`);
    if (request.headers['x-shelf-key'] !== SHELF_API_KEY) return send(response, 401, { error: { code: 'unauthenticated', message: 'bad key' } });
    const detail = /^\/items\/([^/]+)$/.exec(url.pathname);
    if (request.method === 'GET' && url.pathname === '/items') {
      const page = Number(url.searchParams.get('page') ?? '1');
      const size = Number(url.searchParams.get('size') ?? '10');
      const all = [...assets.values()];
      return send(response, 200, { items: all.slice((page - 1) * size, page * size), total: all.length });
    }
    if (request.method === 'GET' && detail !== null) {
      const asset = assets.get(decodeURIComponent(detail[1] ?? ''));
      return asset === undefined ? send(response, 404, { error: { code: 'not_found', message: 'no such item' } }) : send(response, 200, asset);
    }
    if (request.method === 'DELETE' && detail !== null) {
      const deleted = assets.delete(decodeURIComponent(detail[1] ?? ''));
      return deleted ? send(response, 204) : send(response, 404, { error: { code: 'not_found', message: 'no such item' } });
    }
    if (request.method === 'POST' && url.pathname === '/items/shelve') {
      // a body that is not JSON reads as no body: a 400 like any other body without a list of ids
      const { body } = await readJsonBody(request);
      const ids = (body as { ids?: unknown } | undefined)?.ids;
      if (!Array.isArray(ids)) return send(response, 400, { error: { code: 'bad_request', message: 'ids must be a list' } });
      const shelved: string[] = [];
      for (const id of ids) {
        const asset = typeof id === 'string' ? assets.get(id) : undefined;
        if (asset === undefined) continue;
        asset.status = 'shelved';
        shelved.push(asset.id);
      }
      return send(response, 200, { shelved });
    }
    return send(response, 404, { error: { code: 'not_found', message: 'no such route' } });
  };
  // as the simulator does: a request that fails while its body is read is dropped, never an unhandled rejection
  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    assets,
    calls,
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
