import type { SimProvider, Simulator } from '../../src/simulator/simulator.ts';

export interface SimAnswer {
  status: number;
  headers: Headers;
  text: string;
  /** Parsed body; undefined when empty or not JSON. */
  json: unknown;
}

export function authHeaders(sim: Simulator, provider: SimProvider): Record<string, string> {
  return provider === 'roughy'
    ? { authorization: `Bearer ${sim.apiKeys.roughy}` }
    : { 'x-api-key': sim.apiKeys[provider] };
}

/** A provider request over real HTTP, authenticated unless `headers` replaces the credentials. */
export async function call(
  sim: Simulator,
  provider: SimProvider,
  method: string,
  path: string,
  options: { body?: unknown; headers?: Record<string, string> } = {},
): Promise<SimAnswer> {
  const headers: Record<string, string> = { ...(options.headers ?? authHeaders(sim, provider)) };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${sim.baseUrls[provider]}${path}`, {
    method,
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text === '' ? undefined : (JSON.parse(text) as unknown);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Narrows a parsed body for property access in assertions. */
export function obj(value: unknown): Record<string, any> {
  if (value === null || typeof value !== 'object') throw new Error(`expected a JSON object, got ${String(value)}`);
  return value as Record<string, any>;
}
