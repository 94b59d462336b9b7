/**
 * Starting a DAG action run: the row first ('starting'), then the start call, then the provider's run id. A crash
 * between the call and the record leaves a 'starting' row that the poller resolves from the provider's list of
 * runs once the start grace has passed, so the action is never started a second time.
 */
import type pg from 'pg';
import type { Db } from '../db/client.ts';
import { decidePoll, type DagPollPolicy } from '../domain/dag-poll-policy.ts';
import { ProviderError, errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { DagActionsApi } from '../providers/provider.ts';
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import { logOperationFinished } from '../db/bulk-operation-summary.ts';
import { finishRun, getDagRun, insertStartingRun, recordRunning, rescheduleRun, type DagRun, type RunFinish } from '../db/dag-runs.repository.ts';

export interface DagDeps {
  pool: pg.Pool;
  db: Db;
  dagActions: DagActionsApi;
  logger: Logger;
  policy: DagPollPolicy;
  clock: () => Date;
  random?: () => number;
  /** records dag_run.failed / dag_run.timed_out (and a bulk operation's failures) as runs end; undefined: off */
  notifications?: NotificationOutbox | undefined;
}

export interface StartRequest {
  assetId: string;
  dagActionId: string;
  timeoutMs: number;
  bulkItemId?: number | undefined;
}

/** The deadline and the start grace both count from this row's creation. */
export function startingRunValues(request: StartRequest, policy: DagPollPolicy, now: Date) {
  return {
    assetId: request.assetId,
    dagActionId: request.dagActionId,
    startedAt: now,
    deadlineAt: new Date(now.getTime() + request.timeoutMs),
    nextPollAt: new Date(now.getTime() + policy.startGraceMs),
    bulkItemId: request.bulkItemId,
  };
}

export async function createStartingRun(db: Db, request: StartRequest, policy: DagPollPolicy, now: Date): Promise<DagRun> {
  return insertStartingRun(db, startingRunValues(request, policy, now));
}

/** Ends the run (and its bulk item); the step that closes a bulk operation logs its summary. */
export async function endRun(deps: DagDeps, run: DagRun, finish: RunFinish): Promise<DagRun | undefined> {
  const finished = await finishRun(deps.pool, run, finish, deps.notifications);
  if (finished?.closedOperationId != null) await logOperationFinished(deps.db, deps.logger, finished.closedOperationId);
  return finished?.run;
}

export interface StartResult {
  /** the row after the call: running, finished (the provider refused, or answered with a final status), or still starting */
  run: DagRun;
  /** why the start call failed, when it did */
  error?: ProviderError;
}

export async function submitStart(deps: DagDeps, run: DagRun): Promise<StartResult> {
  const log = deps.logger.child({ dagRunId: run.id, assetId: run.assetId, dagActionId: run.dagActionId });
  let snapshot;
  try {
    snapshot = await deps.dagActions.start(run.assetId, run.dagActionId);
  } catch (error) {
    if (!(error instanceof ProviderError)) throw error;
    const now = deps.clock();
    if (error.retryable) {
      // the call may have reached the provider before failing: look for the run a little later instead of
      // starting again
      log.warn({ kind: error.kind, status: error.status, error: error.message }, 'the start call failed; whether a run began is checked against the provider later');
      await rescheduleRun(deps.db, run.id, new Date(now.getTime() + deps.policy.startRecheckMs), error.message);
      return { run: (await getDagRun(deps.db, run.id)) ?? run, error };
    }
    // 403 (ACTIONS_START), 404 (asset or DAG action unknown), other 4xx: nothing was started
    log.warn({ kind: error.kind, status: error.status, error: error.message }, 'the provider refused to start the DAG action');
    const finished = await endRun(deps, run, { outcome: 'failed', at: now, polled: false, error: error.message });
    return { run: finished ?? (await getDagRun(deps.db, run.id)) ?? run, error };
  }
  const now = deps.clock();
  const decision = decidePoll(deps.dagActions.phaseOf(snapshot.status), 0, now.getTime(), run.deadlineAt.getTime(), deps.policy, deps.random);
  if (decision.kind === 'finish') {
    const finished = await endRun(deps, run, { outcome: decision.outcome, at: now, polled: false, snapshot });
    return { run: finished ?? (await getDagRun(deps.db, run.id)) ?? run };
  }
  const recorded = await recordRunning(deps.db, run.id, snapshot, new Date(decision.at));
  log.info({ providerRunId: snapshot.runId, status: snapshot.status }, 'DAG action run started');
  return { run: recorded ?? (await getDagRun(deps.db, run.id)) ?? run };
}

export function describeStartFailure(error: ProviderError): string {
  if (error.kind === 'auth') return `${errorMessage(error)}\n  (the Media Pocket key needs the ACTIONS_START and ACTIONS_VIEW permissions)`;
  return errorMessage(error);
}
