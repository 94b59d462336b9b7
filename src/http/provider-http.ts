/**
 * The one request path for every provider: budget, timeout, retries with full-jitter backoff, 429 handling,
 * response classification into typed ProviderErrors. Providers supply only their auth headers and how to read
 * a failure out of their error envelope.
 */
import pRetry from 'p-retry';
import { Agent, errors as undiciErrors } from 'undici';
import { fullJitterDelay, parseRetryAfter, type BackoffOptions } from '../domain/backoff.ts';
import { ProviderError, type ProviderErrorKind } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { collectResponse, ResponseTimeoutError, utf8Text, type CollectedResponse } from './collect-response.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { countRequest } from './request-tally.ts';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface ProviderRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  /** names the call in errors and logs, e.g. "list assets page 3" */
  operation: string;
  /**
   * false for a call that must not be sent twice (starting a DAG run): a 5xx or a timeout may hide a call that
   * took effect, so only 429s (refused, so certainly not done) are tried again. Default true.
   */
  idempotent?: boolean;
}

export interface ProviderResponse {
  status: number;
  /** parsed JSON, or undefined for an empty body */
  body: unknown;
  requestId: string | undefined;
}

export interface EnvelopeFailure {
  kind: ProviderErrorKind;
  message: string;
  code?: string | undefined;
}

/**
 * Reads a provider's error envelope. Called for every response with a parsed body (2xx included: a provider
 * error in a 200 body is a failure); returns undefined when the response is a success.
 */
export type EnvelopeReader = (status: number, body: unknown) => EnvelopeFailure | undefined;

export interface ProviderHttpOptions {
  provider: ProviderName;
  baseUrl: string;
  /** built per request so the key lives only inside the request */
  authHeaders: () => Record<string, string>;
  readEnvelope: EnvelopeReader;
  /** header carrying the provider's request id, logged with every failure */
  requestIdHeader?: string;
  rateLimiter: RateLimiter;
  logger: Logger;
  timeoutMs?: number;
  /** attempts after the first for retryable failures; 429s do not count */
  retries?: number;
  backoff?: BackoffOptions;
  /** upper bound on the time one request may spend waiting through 429s and retries */
  maxRetryTimeMs?: number;
  connections?: number;
}

export interface ProviderHttp {
  readonly provider: ProviderName;
  send(req: ProviderRequest): Promise<ProviderResponse>;
  close(): Promise<void>;
}

const DEFAULT_RATE_LIMIT_PAUSE_MS = 1000;

export function statusKind(status: number): ProviderErrorKind {
  if (status === 429) return 'rate_limited';
  if (status === 404 || status === 410) return 'not_found';
  if (status === 401 || status === 403) return 'auth';
  if (status >= 500 || status === 408) return 'retryable';
  return 'permanent';
}

/** The base URL split once into what undici needs: the origin, and the path prefix every request path joins. */
function splitBaseUrl(baseUrl: string): { origin: string; pathPrefix: string } {
  const url = new URL(baseUrl);
  return { origin: url.origin, pathPrefix: url.pathname.replace(/\/+$/, '') };
}

/** The request's path and query, built as text: no URL is parsed per request. */
function requestPath(pathPrefix: string, path: string, query: ProviderRequest['query']): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query ?? {})) {
    if (value !== undefined) params.set(name, String(value));
  }
  const search = params.toString();
  return search === '' ? pathPrefix + path : `${pathPrefix}${path}?${search}`;
}

function isNetworkError(error: unknown): boolean {
  return error instanceof undiciErrors.UndiciError || (error instanceof Error && 'code' in error && typeof error.code === 'string');
}

export function createProviderHttp(options: ProviderHttpOptions): ProviderHttp {
  const { provider, logger } = options;
  const timeoutMs = options.timeoutMs ?? 30_000;
  const backoff = options.backoff ?? { baseMs: 250, capMs: 20_000 };
  const maxRetryTimeMs = options.maxRetryTimeMs ?? 10 * 60_000;
  const { origin, pathPrefix } = splitBaseUrl(options.baseUrl);
  const agent = new Agent({
    connections: options.connections ?? 16,
    headersTimeout: timeoutMs,
    bodyTimeout: timeoutMs,
    keepAliveTimeout: 10_000,
  });

  async function attempt(req: ProviderRequest): Promise<ProviderResponse> {
    await options.rateLimiter.acquire(provider);
    countRequest();
    let response: CollectedResponse;
    try {
      response = await collectResponse(
        agent,
        {
          origin,
          path: requestPath(pathPrefix, req.path, req.query),
          method: req.method,
          headers: {
            accept: 'application/json',
            ...(req.body === undefined ? {} : { 'content-type': 'application/json' }),
            ...options.authHeaders(),
          },
          body: req.body === undefined ? null : JSON.stringify(req.body),
        },
        timeoutMs,
      );
    } catch (error) {
      if (isNetworkError(error) || error instanceof ResponseTimeoutError) {
        throw new ProviderError(`${provider}: ${req.operation} failed: ${(error as Error).message}`, {
          provider,
          kind: 'retryable',
          operation: req.operation,
          cause: error,
        });
      }
      throw error;
    }
    const headerValue = (name: string) => {
      const value = response.headers[name];
      return Array.isArray(value) ? value[0] : value;
    };
    const requestId = options.requestIdHeader === undefined ? undefined : headerValue(options.requestIdHeader);
    const text = utf8Text(response.body);
    const status = response.statusCode;
    const contentType = headerValue('content-type') ?? '';
    let body: unknown;
    let parsed = text.trim() === '';
    if (!parsed && contentType.includes('json')) {
      try {
        body = JSON.parse(text);
        parsed = true;
      } catch {
        parsed = false;
      }
    }
    const fail = (kind: ProviderErrorKind, detail: string, code?: string) => {
      const retryAfterMs =
        kind === 'rate_limited' ? (parseRetryAfter(headerValue('retry-after'), Date.now()) ?? DEFAULT_RATE_LIMIT_PAUSE_MS) : undefined;
      const idPart = requestId === undefined ? '' : ` (request id ${requestId})`;
      return new ProviderError(`${provider}: ${req.operation} failed: ${detail}${idPart}`, {
        provider,
        kind,
        operation: req.operation,
        status,
        code,
        requestId,
        retryAfterMs,
      });
    };
    if (parsed) {
      const envelope = options.readEnvelope(status, body);
      if (envelope !== undefined) throw fail(envelope.kind, `HTTP ${status}: ${envelope.message}`, envelope.code);
    }
    if (status >= 200 && status < 300) {
      if (!parsed) {
        // a truncated or non-JSON success body: the data cannot be trusted, but a second read usually works
        throw fail('retryable', `HTTP ${status} with a malformed body (${contentType || 'no content type'}, ${text.length} bytes)`);
      }
      return { status, body, requestId };
    }
    const kind = statusKind(status);
    throw fail(kind, `HTTP ${status}${parsed ? '' : ` with a non-JSON body (${contentType || 'no content type'})`}`);
  }

  /** 429s never use up a retry: wait out the pause (shared through Redis) and ask again, within maxRetryTime */
  async function attemptThroughRateLimits(req: ProviderRequest, startedAt: number): Promise<ProviderResponse> {
    for (;;) {
      try {
        return await attempt(req);
      } catch (error) {
        if (!(error instanceof ProviderError && error.kind === 'rate_limited')) throw error;
        if (performance.now() - startedAt > maxRetryTimeMs) throw error;
        // a pause the provider asked for is its normal way of pacing us: info, and the budget waits it out
        logger.info({ operation: req.operation, status: error.status, requestId: error.requestId, retryAfterMs: error.retryAfterMs }, error.message);
        await options.rateLimiter.pause(provider, error.retryAfterMs ?? DEFAULT_RATE_LIMIT_PAUSE_MS);
      }
    }
  }

  return {
    provider,
    send(req) {
      const startedAt = performance.now();
      return pRetry(() => attemptThroughRateLimits(req, startedAt), {
        retries: options.retries ?? 5,
        minTimeout: 0,
        maxTimeout: 0,
        maxRetryTime: maxRetryTimeMs,
        shouldRetry: ({ error }) => req.idempotent !== false && error instanceof ProviderError && error.kind === 'retryable',
        onFailedAttempt: async ({ error, attemptNumber, retriesLeft }) => {
          if (!(error instanceof ProviderError)) return;
          const retrying = error.kind === 'retryable' && retriesLeft > 0 && req.idempotent !== false;
          // a failure that is not retried here is the caller's to judge (a 404 confirming a removal is the
          // expected answer): debug here, and the caller logs what it means
          const fields = { operation: req.operation, kind: error.kind, status: error.status, code: error.code, requestId: error.requestId, attempt: attemptNumber };
          if (retrying) logger.info({ ...fields, retriesLeft }, `${error.message}; retrying`);
          else logger.debug(fields, error.message);
          if (retrying) await new Promise((resolve) => setTimeout(resolve, fullJitterDelay(attemptNumber, backoff)));
        },
      });
    },
    close: () => agent.close(),
  };
}
