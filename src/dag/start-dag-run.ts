/**
 * Starts one DAG action run for a command: the durable row first, then the provider call, then its poll job
 * (unless the run already ended). What `dag start` and the demo share.
 */
import type pg from 'pg';
import type { Db } from '../db/client.ts';
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import { DEFAULT_DAG_POLL_POLICY } from '../domain/dag-poll-policy.ts';
import { InvalidRequestError } from '../errors.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import type { ProviderHandle } from '../providers/provider-factory.ts';
import type { DagActionsApi } from '../providers/provider.ts';
import { ensurePollJobIfOpen } from '../jobs/dag-poll-jobs.ts';
import { createStartingRun, submitStart, type StartRequest, type StartResult } from './dag-run-starter.ts';

/** What starting a run needs of the process (the app context is one). */
export interface DagRunContext {
  readonly pool: pg.Pool;
  readonly db: Db;
  readonly logger: Logger;
  readonly notifications?: NotificationOutbox | undefined;
  selectProviders(names?: readonly string[]): ProviderHandle[];
}

/** Media Pocket's DAG actions; selecting the provider is a usage error unless it is enabled. */
export function dagActionsOf(context: DagRunContext): DagActionsApi {
  const [handle] = context.selectProviders(['mediapocket']);
  if (handle?.dagActions === undefined) throw new InvalidRequestError('Media Pocket has no DAG actions in this build');
  return handle.dagActions;
}

export async function startDagRun(context: DagRunContext, queues: Queues, dagActions: DagActionsApi, request: StartRequest): Promise<StartResult> {
  const deps = {
    pool: context.pool,
    db: context.db,
    dagActions,
    logger: context.logger,
    policy: DEFAULT_DAG_POLL_POLICY,
    clock: () => new Date(),
    notifications: context.notifications,
  };
  const starting = await createStartingRun(context.db, request, deps.policy, new Date());
  const result = await submitStart(deps, starting);
  await ensurePollJobIfOpen(queues, result.run);
  return result;
}
