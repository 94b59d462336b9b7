/**
 * Following a run from Postgres until it ends: the poll jobs do the work, wherever they run. A run whose poll is
 * long overdue gets its job back here at once rather than at the next sweep.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Db } from '../db/client.ts';
import { isOpenOutcome } from '../domain/dag-poll-policy.ts';
import type { Queues } from '../jobs/queues.ts';
import { ensurePollJob } from '../jobs/dag-poll-jobs.ts';
import { getDagRun, type DagRun } from '../db/dag-runs.repository.ts';

const OVERDUE_MS = 15_000;

export interface FollowDeps {
  db: Db;
  queues: Queues;
  signal: AbortSignal;
  pollMs?: number;
  /** called when the run's outcome, status or poll count changes */
  onChange?: (run: DagRun) => void;
}

export async function followDagRun(deps: FollowDeps, dagRunId: number): Promise<DagRun> {
  let lastSeen = '';
  for (;;) {
    const run = await getDagRun(deps.db, dagRunId);
    if (run === undefined) throw new Error(`DAG run ${dagRunId} no longer exists`);
    const key = `${run.outcome}|${run.status ?? ''}|${run.pollAttempts}`;
    if (key !== lastSeen) {
      lastSeen = key;
      deps.onChange?.(run);
    }
    if (!isOpenOutcome(run.outcome)) return run;
    if (run.nextPollAt !== null && Date.now() - run.nextPollAt.getTime() > OVERDUE_MS) await ensurePollJob(deps.queues, run.id);
    await sleep(deps.pollMs ?? 250, undefined, { signal: deps.signal });
  }
}
