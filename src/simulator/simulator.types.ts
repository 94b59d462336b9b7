/** Option and report types of the provider simulator (re-exported by simulator.ts). */

export type SimProvider = 'affogato' | 'mediapocket' | 'roughy';
export const SIM_PROVIDERS: readonly SimProvider[] = ['affogato', 'mediapocket', 'roughy'];

export function isSimProvider(value: string): value is SimProvider {
  return (SIM_PROVIDERS as readonly string[]).includes(value);
}

/**
 * Faults injected into a provider's answers. Rates are probabilities per request in [0, 1]. The exclusive kinds
 * (429, 500, 502, malformed JSON, error in 200) are rolled together, so their rates should add up to at most 1.
 * An injected fault answers instead of the provider: the request has no effect on the store.
 */
export interface FaultConfig {
  /** 429 in the provider's own error shape (Roughy: `{error:{code:'rate_limited'}}`). */
  rate429?: number;
  /** Retry-After on injected 429s, in seconds (default 1). */
  retryAfterSeconds?: number;
  /** Send Retry-After as an HTTP date instead of seconds. */
  retryAfterAsDate?: boolean;
  /** 500 with the provider's JSON error body. */
  rate500?: number;
  /** 502 with an HTML body (text/html), as a gateway in front of the provider would send. */
  rate502Html?: number;
  /** Answer normally, but only after `slowMs` (rolled independently of the other kinds). */
  rateSlow?: number;
  slowMs?: number;
  /** 200 with a truncated JSON body and content-type application/json. */
  rateMalformedJson?: number;
  /** Affogato: 200 with `data: null` and a non-empty `err`; Media Pocket: 200 with `{"error": ...}`; Roughy: none. */
  rateErrorIn200?: number;
  /**
   * Affogato archive: per call, the probability that about half of the ids (at least one) are silently not
   * archived and left out of the answer. Applies to archive calls even when `onlyListing` is set.
   */
  rateArchivePartial?: number;
  /** Listing requests answer a well-formed empty page (total 0) while detail requests still find the assets. */
  emptyListing?: boolean;
  /** Inject faults only into listing requests (default false: every request). */
  onlyListing?: boolean;
}

/** A Media Pocket DAG action: each poll of the asset's runs moves a run one status on; it stays on the last. */
export interface DagActionSpec {
  id: number;
  name: string;
  description?: string;
  category?: string;
  statuses: string[];
}

export interface SimulatorOptions {
  /** Default 1; the same seed gives identical assets (for the same `referenceTime`). */
  seed?: number;
  /** Initial assets per provider (default 0 each). */
  counts?: Partial<Record<SimProvider, number>>;
  /** Defaults: 'sim-affogato-key', 'sim-mediapocket-key', 'sim-roughy-key'. */
  apiKeys?: Partial<Record<SimProvider, string>>;
  faults?: Partial<Record<SimProvider, FaultConfig>>;
  /** Requests per second admitted per provider (sliding 1 s window); above it: 429 with Retry-After: 1. */
  rpsLimit?: Partial<Record<SimProvider, number>>;
  /** Added to every provider response (default 0). */
  latencyMs?: number;
  port?: number;
  host?: string;
  /** Media Pocket DAG action catalogue (default: DEFAULT_DAG_ACTIONS). */
  dagActions?: DagActionSpec[];
  /**
   * Epoch ms that generated timestamps count back from (default: the start of the current UTC day, so that dates
   * stay recent yet two simulators started the same day with the same seed agree).
   */
  referenceTime?: number;
}

export interface DestructiveCall {
  provider: SimProvider;
  /** 'archive' (affogato), 'trash' | 'restore' | 'delete' (mediapocket), 'delete' (roughy). */
  operation: string;
  /** The ids the call named (one for the per-asset endpoints, the body's ids for Affogato's archive). */
  assetIds: string[];
  status: number;
  /** ISO time the answer was sent. */
  at: string;
}

export interface SimulatorStatsSnapshot {
  requests: Record<SimProvider, Record<string, Record<string, number>>>;
  destructiveCalls: DestructiveCall[];
  served429: number;
  served429ByProvider: Record<SimProvider, number>;
}

/**
 * What the simulator served. Operations: 'list', 'get', 'archive' (affogato); 'list', 'get', 'update', 'trash',
 * 'restore', 'delete', 'dag.actions', 'dag.start', 'dag.runs' (mediapocket); 'list', 'get', 'delete' (roughy);
 * 'unknown' for paths no route matches.
 */
export interface SimulatorStats {
  /** Counts by provider, operation and HTTP status (as a string key). */
  readonly requests: Record<SimProvider, Record<string, Record<string, number>>>;
  /** Archive, trash, restore and delete calls in the order they were answered, whatever their status. */
  readonly destructiveCalls: readonly DestructiveCall[];
  /** 429s served (injected or from rpsLimit), all providers. */
  readonly served429: number;
  readonly served429ByProvider: Record<SimProvider, number>;
  /** Requests counted for a provider, optionally narrowed to one operation and one status. */
  count(provider: SimProvider, operation?: string, status?: number): number;
  reset(): void;
  snapshot(): SimulatorStatsSnapshot;
}
