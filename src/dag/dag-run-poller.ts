/**
 * One poll of a DAG action run. There is no endpoint for one run: the asset's runs are listed and ours is found
 * by id. The status is kept verbatim; what it means comes from the adapter (phaseOf). A 429 or 5xx is no answer,
 * not an outcome: the run is polled again later, until its deadline.
 */
import { pickRunToAdopt } from '../domain/dag-adoption.ts';
import { decidePoll, isOpenOutcome, type PollObservation } from '../domain/dag-poll-policy.ts';
import { ProviderError } from '../errors.ts';
import type { DagRunSnapshot } from '../providers/provider.ts';
import { claimedRunIds, getDagRun, recordPoll, recordRunning, type DagRun } from '../db/dag-runs.repository.ts';
import { endRun, type DagDeps } from './dag-run-starter.ts';

export type PollStep =
  /** the run has its outcome (or no longer exists) */
  | { kind: 'ended'; run: DagRun | undefined }
  /** poll again at `at` */
  | { kind: 'park'; at: Date };

/** A job woken this little before the row's next poll is not early enough to be worth parking again. */
const EARLY_TOLERANCE_MS = 50;

export async function pollDagRun(deps: DagDeps, dagRunId: number): Promise<PollStep> {
  const run = await getDagRun(deps.db, dagRunId);
  if (run === undefined || !isOpenOutcome(run.outcome)) return { kind: 'ended', run };
  const now = deps.clock();
  // a poll job added early (a resume, a sweep) keeps to the row's schedule, e.g. the start grace
  if (run.nextPollAt !== null && run.nextPollAt.getTime() - now.getTime() > EARLY_TOLERANCE_MS) {
    return { kind: 'park', at: run.nextPollAt };
  }
  const log = deps.logger.child({ dagRunId: run.id, assetId: run.assetId });

  let runs: DagRunSnapshot[] | undefined;
  let noAnswer: string | null = null;
  try {
    runs = await deps.dagActions.listRuns(run.assetId);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    if (!error.retryable) {
      // 403 (ACTIONS_VIEW), 404 (the asset is gone), other 4xx: polling again will not help
      log.warn({ err: error }, 'DAG action run can no longer be polled; it ends failed');
      return { kind: 'ended', run: await endRun(deps, run, { outcome: 'failed', at: now, polled: true, error: error.message }) };
    }
    log.info({ err: error }, 'no answer from the provider this time; polling again later');
    noAnswer = error.message;
  }

  let current = run;
  if (run.outcome === 'starting' && runs !== undefined) {
    const adopted = pickRunToAdopt(runs, { dagActionId: run.dagActionId, startedAt: run.startedAt }, await claimedRunIds(deps.db, run.assetId));
    if (adopted === undefined) {
      const error = `the start call's answer was never recorded and no run of DAG action ${run.dagActionId} appeared at the provider: nothing was started`;
      log.warn(error);
      return { kind: 'ended', run: await endRun(deps, run, { outcome: 'failed', at: now, polled: true, error }) };
    }
    log.info({ providerRunId: adopted.runId }, 'a run left starting was found at the provider and is tracked again');
    current = (await recordRunning(deps.db, run.id, adopted, now)) ?? current;
  }

  const snapshot = current.providerRunId === null ? undefined : runs?.find((candidate) => candidate.runId === current.providerRunId);
  if (runs !== undefined && snapshot === undefined && current.providerRunId !== null) {
    noAnswer = `run ${current.providerRunId} is not in the asset's list of runs`;
  }
  const observation: PollObservation = snapshot === undefined ? 'no_answer' : deps.dagActions.phaseOf(snapshot.status);
  const decision = decidePoll(observation, current.pollAttempts + 1, now.getTime(), current.deadlineAt.getTime(), deps.policy, deps.random);
  if (decision.kind === 'finish') {
    const lastStatus = snapshot?.status ?? current.status ?? 'unknown';
    const error = decision.outcome === 'timed_out' ? `no final status by the deadline (last status "${lastStatus}")${noAnswer === null ? '' : `; ${noAnswer}`}` : null;
    const finished = await endRun(deps, current, { outcome: decision.outcome, at: now, polled: true, snapshot, error });
    log.info({ outcome: decision.outcome, status: lastStatus }, 'DAG action run ended');
    return { kind: 'ended', run: finished ?? (await getDagRun(deps.db, run.id)) };
  }
  const at = new Date(decision.at);
  await recordPoll(deps.db, current.id, { polledAt: now, nextPollAt: at, snapshot, error: noAnswer });
  return { kind: 'park', at };
}
