/**
 * Starts one DAG action run for a command: the durable row first, then the provider call, then its poll job
 * (unless the run already ended). What `dag start` and the demo share.
 */
import type { AppContext } from '../app/context.ts';
import { DEFAULT_DAG_POLL_POLICY, isOpenOutcome } from '../domain/dag-poll-policy.ts';
import type { Queues } from '../jobs/queues.ts';
import type { DagActionsApi } from '../providers/provider.ts';
import { ensurePollJob } from './dag-poll-jobs.ts';
import { createStartingRun, submitStart, type StartRequest, type StartResult } from './dag-run-starter.ts';

export async function startDagRun(context: AppContext, queues: Queues, dagActions: DagActionsApi, request: StartRequest): Promise<StartResult> {
  const deps = { pool: context.pool, db: context.db, dagActions, logger: context.logger, policy: DEFAULT_DAG_POLL_POLICY, clock: () => new Date() };
  const starting = await createStartingRun(context.db, request, deps.policy, new Date());
  const result = await submitStart(deps, starting);
  if (isOpenOutcome(result.run.outcome)) await ensurePollJob(queues, result.run.id, result.run.nextPollAt ?? undefined);
  return result;
}
