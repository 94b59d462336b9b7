import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Agent } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { collectResponse, ResponseTimeoutError, utf8Text } from '../src/http/collect-response.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('collectResponse', () => {
  // the paths the server was asked for, in arrival order
  const received: string[] = [];
  let trickleFinished = false;
  let server: Server;
  let origin: string;

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    received.push(req.url ?? '');
    if (req.url === '/chunks') {
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'r-1' });
      for (const part of ['{"items":', '[1,2,', '3]}']) {
        res.write(part);
        await sleep(5);
      }
      res.end();
    } else if (req.url === '/trickle') {
      // answers at once, then sends one byte every 50 ms for a second: only a bound on the whole exchange stops it
      res.writeHead(200, { 'Content-Type': 'application/json' });
      for (let i = 0; i < 20; i += 1) {
        if (res.destroyed) return;
        res.write(' ');
        await sleep(50);
      }
      trickleFinished = true;
      res.end('{}');
    } else if (req.url === '/bom') {
      res.writeHead(200, { 'Content-Type': 'application/json' });
      res.end(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"ok":"é"}')]));
    } else if (req.url === '/slow') {
      await sleep(400);
      res.end('{}');
    } else {
      res.end('{}');
    }
  }

  beforeAll(async () => {
    server = createServer((req, res) => void handle(req, res));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('joins a body sent in several chunks and gives the status and lower-case headers', async () => {
    const agent = new Agent();
    const response = await collectResponse(agent, { origin, path: '/chunks', method: 'GET' }, 5_000);
    await agent.close();
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toBe('r-1');
    expect(JSON.parse(response.body.toString('utf8'))).toEqual({ items: [1, 2, 3] });
  });

  it('reads a body that starts with a byte-order mark as JSON', async () => {
    const agent = new Agent();
    const response = await collectResponse(agent, { origin, path: '/bom', method: 'GET' }, 5_000);
    await agent.close();
    expect(JSON.parse(utf8Text(response.body))).toEqual({ ok: 'é' });
    expect(utf8Text(Buffer.from('{}'))).toBe('{}');
  });

  it('cuts off a body that keeps trickling in past the timeout', async () => {
    const agent = new Agent();
    const error = await collectResponse(agent, { origin, path: '/trickle', method: 'GET' }, 200).catch((e: unknown) => e);
    await agent.destroy();
    expect(error).toBeInstanceOf(ResponseTimeoutError);
    expect(trickleFinished).toBe(false);
  });

  it('never sends a request whose time ran out while it waited for a connection', async () => {
    received.length = 0;
    // one connection: the second request waits behind the first, which takes 400 ms
    const agent = new Agent({ connections: 1, pipelining: 1 });
    const first = collectResponse(agent, { origin, path: '/slow', method: 'GET' }, 5_000);
    const second = await collectResponse(agent, { origin, path: '/queued', method: 'GET' }, 100).catch((e: unknown) => e);
    expect(second).toBeInstanceOf(ResponseTimeoutError);
    await first;
    // the connection is free again; the timed-out request must not go out on it
    await collectResponse(agent, { origin, path: '/after', method: 'GET' }, 5_000);
    await agent.close();
    expect(received).toEqual(['/slow', '/after']);
  });
});
