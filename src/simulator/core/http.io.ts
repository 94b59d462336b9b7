import type { IncomingMessage, ServerResponse } from 'node:http';
import type { SimResponse } from './route.types.ts';

const MAX_BODY_BYTES = 10 * 1024 * 1024;

export interface ReadBody {
  body: unknown;
  invalid: boolean;
}

export async function readJsonBody(req: IncomingMessage): Promise<ReadBody> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    const buffer = chunk as Buffer;
    size += buffer.length;
    if (size > MAX_BODY_BYTES) return { body: undefined, invalid: true };
    chunks.push(buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (text.trim() === '') return { body: undefined, invalid: false };
  try {
    return { body: JSON.parse(text) as unknown, invalid: false };
  } catch {
    return { body: undefined, invalid: true };
  }
}

const frozenTexts = new WeakMap<object, string>();

/** JSON of a frozen object, computed once: the simulator freezes its payloads deeply (deepFreeze), so the text never goes stale. */
function frozenJson(value: object): string {
  let text = frozenTexts.get(value);
  if (text === undefined) {
    text = JSON.stringify(value);
    frozenTexts.set(value, text);
  }
  return text;
}

/** Whether every element is a frozen object with no `toJSON` (a hole, a null or a string is not one). */
function allFrozenObjects(items: readonly unknown[]): items is object[] {
  for (let i = 0; i < items.length; i += 1) {
    const item = items[i];
    if (item === null || typeof item !== 'object' || !Object.isFrozen(item) || 'toJSON' in item) return false;
  }
  return true;
}

/**
 * The same text as JSON.stringify(body), but a top-level array of frozen objects (a listing's assets, which the
 * stores deep-freeze and replace on change; payloads are plain JSON data, no Dates or getters) is written from
 * each object's cached text. Serializing every listed asset on every request was most of the simulator's work,
 * and the simulator shares the machine with the client measured against it.
 */
export function bodyJson(body: unknown): string | undefined {
  if (body === null || typeof body !== 'object' || Array.isArray(body) || 'toJSON' in body) return JSON.stringify(body);
  const members: string[] = [];
  for (const [key, value] of Object.entries(body)) {
    const text = Array.isArray(value) && !('toJSON' in value) && allFrozenObjects(value) ? `[${value.map(frozenJson).join(',')}]` : JSON.stringify(value);
    // JSON.stringify leaves out members whose value has no JSON form (undefined, functions, symbols)
    if (text !== undefined) members.push(`${JSON.stringify(key)}:${text}`);
  }
  return `{${members.join(',')}}`;
}

export function writeResponse(res: ServerResponse, response: SimResponse, extraHeaders: Record<string, string> = {}): void {
  if (res.destroyed || res.headersSent) return;
  const headers: Record<string, string> = { ...extraHeaders, ...response.headers };
  let payload: string | undefined;
  if (response.text !== undefined) {
    payload = response.text;
    headers['content-type'] = response.contentType ?? 'text/plain; charset=utf-8';
  } else if (response.body !== undefined) {
    payload = bodyJson(response.body);
    headers['content-type'] = response.contentType ?? 'application/json; charset=utf-8';
  }
  if (payload !== undefined) headers['content-length'] = String(Buffer.byteLength(payload));
  res.writeHead(response.status, headers);
  res.end(payload);
}

/** Timers that `close()` can cut short, so a slow answer never holds the process open. */
export class Sleeper {
  private readonly pending = new Set<() => void>();
  private closed = false;

  get isClosed(): boolean {
    return this.closed;
  }

  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.pending.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.pending.add(done);
    });
  }

  close(): void {
    this.closed = true;
    for (const done of [...this.pending]) done();
  }
}
