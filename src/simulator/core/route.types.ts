import type { IncomingHttpHeaders } from 'node:http';
import type { FaultConfig, SimProvider } from '../simulator.types.ts';
import type { Random } from './seeded.random.ts';

export interface SimRequest {
  method: string;
  /** Path after the provider prefix, e.g. `/pub/v2/assets`. */
  path: string;
  query: URLSearchParams;
  headers: IncomingHttpHeaders;
  /** Path parameters, URL-decoded. */
  params: Record<string, string>;
  /** Parsed JSON body; undefined when there was none. */
  body: unknown;
  /** True when a body was sent but is not JSON. */
  bodyInvalid: boolean;
}

export interface SimResponse {
  status: number;
  /** Serialized as JSON unless `text` is set. */
  body?: unknown;
  /** Sent verbatim (HTML pages, truncated JSON). */
  text?: string;
  contentType?: string;
  headers?: Record<string, string>;
}

/** What a handler may use besides the request: the provider's current faults and its fault stream. */
export interface RouteContext {
  faults: FaultConfig;
  faultRandom: Random;
}

export interface Route {
  method: string;
  /** Segments with `:name` placeholders, e.g. `/api/v2/assets/:id/trash_bin`. */
  pattern: string;
  operation: string;
  listing?: boolean;
  /** For destructive operations: the asset ids the call names. */
  targets?: (request: SimRequest) => string[];
  handle: (request: SimRequest, context: RouteContext) => SimResponse;
}

export interface RouteMatch {
  route: Route;
  params: Record<string, string>;
}

/** One provider's HTTP surface: its routes and its own way of saying no. */
export interface ProviderApi {
  readonly provider: SimProvider;
  match(method: string, path: string): RouteMatch | undefined;
  authorized(headers: IncomingHttpHeaders): boolean;
  unauthorized(): SimResponse;
  notFound(): SimResponse;
  rateLimited(retryAfter: string): SimResponse;
  internalError(): SimResponse;
  /** The 200-with-an-error trap; undefined where the provider has none. */
  errorIn200(): SimResponse | undefined;
  /** A well-formed listing page that shows nothing: a provider glitch while the assets still exist. */
  emptyListing(request: SimRequest): SimResponse;
  /** Start of a plausible answer, cut short to make malformed JSON. */
  malformedBody(): string;
  /** Headers every answer carries (Roughy's X-Request-Id). */
  commonHeaders(): Record<string, string>;
}
