/**
 * Admits at most `limit` events in any `windowMs` span. A ring of the last `limit` admission times makes each
 * check O(1): the oldest of them must have left the window before one more is admitted.
 */
export class SlidingWindowLimiter {
  private readonly times: number[];
  private head = 0;
  private filled = 0;

  constructor(
    private readonly limit: number,
    private readonly windowMs = 1000,
  ) {
    if (!Number.isInteger(limit) || limit < 1) throw new Error(`rate limit must be a positive integer, got ${limit}`);
    this.times = new Array<number>(limit).fill(0);
  }

  tryAcquire(now = Date.now()): boolean {
    if (this.filled < this.limit) {
      this.times[(this.head + this.filled) % this.limit] = now;
      this.filled += 1;
      return true;
    }
    const oldest = this.times[this.head] ?? 0;
    if (now - oldest < this.windowMs) return false;
    this.times[this.head] = now;
    this.head = (this.head + 1) % this.limit;
    return true;
  }
}
