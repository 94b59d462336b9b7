import { isOpenOutcome } from '../domain/dag-poll-policy.ts';
import { enqueue, type Queues } from './queues.ts';
import type { DagRun } from '../db/dag-runs.repository.ts';
import { ensureJob, type EnsureResult } from './ensure-job.ts';

export const dagPollJobId = (dagRunId: number) => `dag-poll-${dagRunId}`;

/**
 * Makes sure the run has its poll job, due at `at` (now when omitted). A parked or waiting job is left as it is;
 * a finished one is replaced, since Postgres (the source of truth) says the run is still open.
 */
export function ensurePollJob(queues: Queues, dagRunId: number, at?: Date): Promise<EnsureResult> {
  const delay = at === undefined ? 0 : Math.max(0, at.getTime() - Date.now());
  return ensureJob(queues.dag, dagPollJobId(dagRunId), () => enqueue(queues, 'dag.poll', { dagRunId }, { jobId: dagPollJobId(dagRunId), delay }), {
    replaceFinished: true,
  });
}

/** A run still open is followed by its poll job, due at its next poll; an ended run needs none. */
export async function ensurePollJobIfOpen(queues: Queues, run: DagRun): Promise<void> {
  if (isOpenOutcome(run.outcome)) await ensurePollJob(queues, run.id, run.nextPollAt ?? undefined);
}
