/**
 * A webhook receiver on loopback for the notification tests: records every request (headers and raw body) and
 * answers 204, or 500 for the first N requests of the first event of a type when told to.
 */
import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** what the receiver answered */
  status: number;
}

export interface WebhookReceiver {
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** the first event of this type that arrives is answered 500 on its first `times` requests */
  failFirstOfType(type: string, times: number): void;
  /** the requests it accepted (2xx) */
  accepted(): ReceivedRequest[];
  close(): Promise<void>;
}

export async function startWebhookReceiver(): Promise<WebhookReceiver> {
  const requests: ReceivedRequest[] = [];
  const failuresById = new Map<string, number>();
  const failuresByType = new Map<string, number>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString('utf8');
      const id = String(request.headers['webhook-id']);
      let type = '';
      try {
        type = String((JSON.parse(body) as { type?: unknown }).type);
      } catch {
        type = '';
      }
      const typeTimes = failuresByType.get(type);
      if (typeTimes !== undefined) {
        failuresByType.delete(type);
        failuresById.set(id, typeTimes);
      }
      let status = 204;
      const idLeft = failuresById.get(id) ?? 0;
      if (idLeft > 0) {
        failuresById.set(id, idLeft - 1);
        status = 500;
      }
      requests.push({ headers: request.headers, body, status });
      response.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks/asset-worker`,
    requests,
    failFirstOfType: (type, times) => failuresByType.set(type, times),
    accepted: () => requests.filter((request) => request.status < 300),
    close: () => new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve()))),
  };
}
