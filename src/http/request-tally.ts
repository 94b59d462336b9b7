/**
 * Counts the HTTP requests one piece of work sends to its provider (a sync run: sync_runs.requests). Scoped by
 * async context rather than kept on the adapter: a provider adapter is shared, and a retention or bulk job using it
 * at the same time must not add its requests to the sync's count.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export class RequestTally {
  private pending = 0;

  count(): void {
    this.pending += 1;
  }

  /** the requests sent since the last `take`, and starts counting afresh: what a commit adds to the stored total */
  take(): number {
    const taken = this.pending;
    this.pending = 0;
    return taken;
  }

  /** a commit that took a count and then failed gives it back, so the next commit records it */
  giveBack(count: number): void {
    this.pending += count;
  }
}

/**
 * Runs `commit` (a transaction) with `take`, which takes the tally's count for the commit to store; if the commit
 * fails, what it took is given back, so the next commit (or the failure's record) stores it. `take` is called
 * inside the transaction, as late as its writes allow: requests sent while it runs are counted in it.
 */
export async function committingRequests<T>(tally: RequestTally | undefined, commit: (take: () => number) => Promise<T>): Promise<T> {
  let taken = 0;
  const take = (): number => {
    const count = tally?.take() ?? 0;
    taken += count;
    return count;
  };
  try {
    return await commit(take);
  } catch (error) {
    // not committed: the count is still the work's
    tally?.giveBack(taken);
    throw error;
  }
}

const scope = new AsyncLocalStorage<RequestTally>();

/** Runs `work` with every request it sends (in any async continuation of it) counted in `tally`. */
export function countingRequests<T>(tally: RequestTally, work: () => Promise<T>): Promise<T> {
  return scope.run(tally, work);
}

/** Called by the HTTP path for every request it sends, retries and 429s included; outside a scope it counts nothing. */
export function countRequest(): void {
  scope.getStore()?.count();
}
