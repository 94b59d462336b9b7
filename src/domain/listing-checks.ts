/**
 * When may a finished listing be trusted to say that an asset is gone? Pure decisions, no I/O.
 */

export interface CompletenessInput {
  distinctSeen: number;
  reportedTotal: number | undefined;
  pass: number;
  maxPasses: number;
}

export type CompletenessDecision = { verdict: 'complete'; shortfall?: string } | { verdict: 'another-pass' };

/**
 * A listing that reports a total should show at least that many distinct ids. Fewer means assets were added
 * behind our position while we paged (an existing asset that a shift hid is caught by the removal
 * confirmation, never lost): another pass picks the new ones up, up to `maxPasses`; after that the run still
 * counts as complete and the next sync finds the rest.
 */
export function judgeCompleteness(input: CompletenessInput): CompletenessDecision {
  if (input.reportedTotal === undefined || input.distinctSeen >= input.reportedTotal) return { verdict: 'complete' };
  if (input.pass < input.maxPasses) return { verdict: 'another-pass' };
  return {
    verdict: 'complete',
    shortfall: `the listing reported ${input.reportedTotal} assets but ${input.distinctSeen} distinct ones were seen after ${input.pass} passes (assets added while paging are picked up by the next sync)`,
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
