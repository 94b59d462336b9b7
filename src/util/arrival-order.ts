type Outcome<R> = { ok: true; value: R } | { ok: false; error: unknown };

/**
 * Calls `fetch` for each key, at most `concurrency` at a time, and yields the results in the order they arrive.
 * The next call starts as a result is handed over. The first failure ends the iteration; calls still in flight
 * then finish unobserved (their failures are caught, never unhandled).
 * A completion queue, not Promise.race: a race keeps results already handed over reachable while calls are out.
 */
export async function* inArrivalOrder<K, R>(keys: readonly K[], concurrency: number, fetch: (key: K) => Promise<R>): AsyncGenerator<R> {
  const arrived: Array<Outcome<R>> = [];
  let next = 0;
  let running = 0;
  let wake: (() => void) | undefined;
  const settle = (outcome: Outcome<R>) => {
    running -= 1;
    arrived.push(outcome);
    wake?.();
    wake = undefined;
  };
  const launch = () => {
    if (next >= keys.length) return;
    const key = keys[next] as K;
    next += 1;
    running += 1;
    // a fetch that throws instead of rejecting is a failure like any other
    new Promise<R>((resolve) => resolve(fetch(key))).then(
      (value) => settle({ ok: true, value }),
      (error: unknown) => settle({ ok: false, error }),
    );
  };
  for (let i = 0; i < Math.max(1, concurrency); i += 1) launch();
  while (running > 0 || arrived.length > 0) {
    if (arrived.length === 0) {
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
    const outcome = arrived.shift() as Outcome<R>;
    if (!outcome.ok) throw outcome.error;
    launch();
    yield outcome.value;
  }
}
