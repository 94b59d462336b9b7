/**
 * "Shelf", a test-only fifth provider's API, served over real HTTP on 127.0.0.1: a page-numbered listing with a
 * total, a detail endpoint, a multi-id "shelve" (its archive, status "shelved") and a per-id delete. In memory.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

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
  response.writeHead(status, body === undefined ? {} : { 'content-type': 'application/json' });
  response.end(body === undefined ? undefined : JSON.stringify(body));
}

async function readJson(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return chunks.length === 0 ? undefined : JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

export async function startShelfServer(count: number): Promise<ShelfServer> {
  const assets = new Map<string, ShelfAsset>();
  for (let i = 1; i <= count; i += 1) {
    const id = `shelf-${String(i).padStart(4, '0')}`;
    assets.set(id, { id, kind: i % 2 === 0 ? 'document' : 'image', status: 'active', created_at: new Date(Date.UTC(2024, 0, i)).toISOString() });
  }
  const calls: string[] = [];
  const server = createServer((request, response) => {
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
      void readJson(request).then((body) => {
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
      });
      return undefined;
    }
    return send(response, 404, { error: { code: 'not_found', message: 'no such route' } });
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
