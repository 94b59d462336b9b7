/**
 * When may a finished listing be trusted to say that an asset is gone? Pure decisions, no I/O.
 */

export interface CompletenessInput {
  distinctSeen: number;
  reportedTotal: number | undefined;
  pass: number;
  maxPasses: number;
}

export type CompletenessDecision = { verdict: 'complete' } | { verdict: 'another-pass' } | { verdict: 'partial'; reason: string };

/**
 * A listing that reports a total is complete once at least that many distinct ids were seen. Fewer means
 * items shifted past us while we paged: another pass catches them, up to `maxPasses`.
 */
export function judgeCompleteness(input: CompletenessInput): CompletenessDecision {
  if (input.reportedTotal === undefined || input.distinctSeen >= input.reportedTotal) return { verdict: 'complete' };
  if (input.pass < input.maxPasses) return { verdict: 'another-pass' };
  return {
    verdict: 'partial',
    reason: `the listing reported ${input.reportedTotal} assets but only ${input.distinctSeen} distinct ones were seen after ${input.pass} passes`,
  };
}

export interface ShrinkInput {
  /** live, not-trashed assets in the catalog before this run */
  liveUntrashed: number;
  /** of those, how many this listing did not show */
  missingUntrashed: number;
}

/** Fewer than this many missing assets are simply confirmed one by one. */
export const SHRINK_MIN_MISSING = 20;
/** Missing more than this share of the live catalog makes the listing suspect until a sample confirms it. */
export const SHRINK_MAX_FRACTION = 0.5;

export function isSharpShrink(input: ShrinkInput): boolean {
  return input.missingUntrashed > SHRINK_MIN_MISSING && input.missingUntrashed > input.liveUntrashed * SHRINK_MAX_FRACTION;
}

/** Picks up to `size` items spread over the list (deterministic, so a rerun checks the same ones). */
export function spreadSample<T>(items: readonly T[], size: number): T[] {
  if (items.length <= size) return [...items];
  const step = items.length / size;
  return Array.from({ length: size }, (_, i) => items[Math.floor(i * step)] as T);
}
