/**
 * Exponential backoff with full jitter: a uniformly random delay between 0 and min(cap, base * 2^attempt).
 * Full jitter spreads retries of many clients instead of synchronising them.
 */
export interface BackoffOptions {
  baseMs: number;
  capMs: number;
}

export function fullJitterDelay(attempt: number, options: BackoffOptions, random: () => number = Math.random): number {
  const ceiling = Math.min(options.capMs, options.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.floor(random() * ceiling);
}

/**
 * Parses a Retry-After header: delta-seconds or an HTTP date. Returns milliseconds from `now`, never negative;
 * undefined when absent or unparseable.
 */
export function parseRetryAfter(value: string | undefined, now: number): number | undefined {
  if (value === undefined) return undefined;
  const trimmed = value.trim();
  if (trimmed === '') return undefined;
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}
