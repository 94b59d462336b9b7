/**
 * Budget slots a process reserved ahead and has not used yet (see the rate limiter). Pure: times are whatever
 * monotonic clock the caller uses, in ms.
 */

/** `count` slots, the first at `firstAt`, `intervalMs` apart. */
export interface KeptSlots {
  firstAt: number;
  count: number;
  intervalMs: number;
}

/**
 * Takes the earliest kept slot that has not passed and answers how long until it, or undefined when none is
 * left. Slots that have passed are dropped: spent late they would put two requests closer than the interval.
 */
export function takeKeptSlot(kept: KeptSlots, now: number): number | undefined {
  const passed = kept.firstAt < now ? Math.ceil((now - kept.firstAt) / kept.intervalMs) : 0;
  if (passed >= kept.count) {
    kept.count = 0;
    return undefined;
  }
  const slotAt = kept.firstAt + passed * kept.intervalMs;
  kept.firstAt = slotAt + kept.intervalMs;
  kept.count -= passed + 1;
  return slotAt - now;
}
