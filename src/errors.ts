/**
 * Every failure the worker can meet is one of these classes, classified once where it is detected.
 * Callers switch on `kind` / class, never on a message.
 */
export type ProviderErrorKind =
  /** network failure, timeout, 5xx, malformed body: worth another attempt */
  | 'retryable'
  /** 429 or the provider's rate-limit code: wait `retryAfterMs`, never counts as a failed attempt */
  | 'rate_limited'
  | 'not_found'
  /** 401/403: a key or permission problem; retrying will not help */
  | 'auth'
  /** any other 4xx or a provider error in a 2xx body: retrying will not help */
  | 'permanent';

export interface ProviderErrorDetails {
  /** the provider's registered name */
  provider: string;
  kind: ProviderErrorKind;
  operation: string;
  status?: number | undefined;
  code?: string | undefined;
  requestId?: string | undefined;
  retryAfterMs?: number | undefined;
  cause?: unknown;
}

export class ProviderError extends Error {
  readonly provider: string;
  readonly kind: ProviderErrorKind;
  readonly operation: string;
  readonly status: number | undefined;
  readonly code: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;

  constructor(message: string, details: ProviderErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'ProviderError';
    this.provider = details.provider;
    this.kind = details.kind;
    this.operation = details.operation;
    this.status = details.status;
    this.code = details.code;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
  }

  get retryable(): boolean {
    return this.kind === 'retryable' || this.kind === 'rate_limited';
  }
}

/** A wrong or missing configuration value: exit status 2. */
export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

/**
 * A request that cannot be carried out as asked (an unknown action or provider, a bad asset id, a provider that is
 * not enabled or lacks the action): nothing was done. The CLI reports it as bad usage (exit status 2).
 */
export class InvalidRequestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvalidRequestError';
  }
}

/** A safety limit refused the work (stale catalog, caps, partial listing): exit status 1, nothing done. */
export class SafetyLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SafetyLimitError';
  }
}

export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
