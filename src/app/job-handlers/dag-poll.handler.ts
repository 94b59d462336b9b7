import { pollDagRun } from '../../dag/dag-run-poller.ts';
import type { DagDeps } from '../../dag/dag-run-starter.ts';
import { DEFAULT_DAG_POLL_POLICY, type DagPollPolicy } from '../../domain/dag-poll-policy.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { parkUntil } from '../../jobs/park-job.ts';

export interface DagHandlerOptions {
  policy?: DagPollPolicy;
}

/** The DAG side of the context, or an error that leaves the job to be retried by a worker that has it. */
export function dagDepsFrom(deps: HandlerDeps, options: DagHandlerOptions = {}): DagDeps {
  const dagActions = deps.context.providers.get('mediapocket')?.dagActions;
  if (dagActions === undefined) throw new Error('Media Pocket is not enabled in this worker (set MEDIAPOCKET_API_KEY and MEDIAPOCKET_BASE_URL)');
  return {
    pool: deps.context.pool,
    db: deps.context.db,
    dagActions,
    logger: deps.context.logger,
    policy: options.policy ?? DEFAULT_DAG_POLL_POLICY,
    clock: () => new Date(),
    notifications: deps.context.notifications,
  };
}

/**
 * One poll of a run, then the job parks itself in BullMQ's delayed set until the next one: no worker slot waits
 * on a timer, however many runs are open.
 */
export function dagPollHandler(deps: HandlerDeps, options: DagHandlerOptions = {}): JobHandler<'dag.poll'> {
  return {
    name: 'dag.poll',
    async handle(job, token) {
      const step = await pollDagRun(dagDepsFrom(deps, options), job.data.dagRunId);
      if (step.kind === 'ended') return { outcome: step.run?.outcome ?? 'missing', status: step.run?.status ?? null };
      return parkUntil(job, token, step.at);
    },
  };
}
