/**
 * Resolving a run left in 'starting': the start call was sent, but its answer (the provider's run id) was never
 * recorded (a crash between the two, or an answer lost on the wire). Starting again could run the action twice,
 * so the run is looked for among the asset's runs instead. Pure.
 */
import type { DagRunSnapshot } from './dag-run.ts';

/** Clocks differ between us and the provider; a run created this long before our row is still a candidate. */
export const ADOPTION_CLOCK_SKEW_MS = 60_000;

export interface StartingRun {
  dagActionId: string;
  /** when our row was written, just before the start call */
  startedAt: Date;
}

/**
 * The run our start call created, if it can be told apart: same DAG action (when the provider names it), created
 * after our row (within the skew), and not already tracked by another row. The earliest such run wins, since our
 * call came first among any that followed it.
 */
export function pickRunToAdopt(
  runs: readonly DagRunSnapshot[],
  starting: StartingRun,
  claimedRunIds: ReadonlySet<string>,
  skewMs = ADOPTION_CLOCK_SKEW_MS,
): DagRunSnapshot | undefined {
  const earliest = starting.startedAt.getTime() - skewMs;
  const candidates = runs.filter(
    (run) =>
      !claimedRunIds.has(run.runId) &&
      (run.dagActionId === undefined || run.dagActionId === starting.dagActionId) &&
      run.createdAt !== null &&
      run.createdAt.getTime() >= earliest,
  );
  candidates.sort((a, b) => (a.createdAt?.getTime() ?? 0) - (b.createdAt?.getTime() ?? 0));
  return candidates[0];
}
