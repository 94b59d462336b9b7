/**
 * Every job handler of the worker, and the workers' dependencies built from the app context. The registry checks
 * this list against JOB_DEFINITIONS at boot.
 */
import type { AnyJobHandler } from '../../jobs/job-registry.ts';
import type { Queues } from '../../jobs/queues.ts';
import type { QueueWorkersDeps } from '../../jobs/queue-workers.ts';
import type { AppContext } from '../context.ts';
import { bulkChunkHandler } from './bulk-chunk.handler.ts';
import { catalogDailyHandler } from './catalog-daily.handler.ts';
import { dagPollHandler } from './dag-poll.handler.ts';
import { dagSweepHandler } from './dag-sweep.handler.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { historyPruneHandler } from './history-prune.handler.ts';
import { notifyDeliverHandler } from './notify-deliver.handler.ts';
import { retentionApplyHandler } from './retention-apply.handler.ts';
import { syncProviderHandler } from './sync-provider.handler.ts';

export function createJobHandlers(deps: HandlerDeps): AnyJobHandler[] {
  return [
    syncProviderHandler(deps),
    dagPollHandler(deps),
    dagSweepHandler(deps),
    bulkChunkHandler(deps),
    retentionApplyHandler(deps),
    historyPruneHandler(deps),
    catalogDailyHandler(deps),
    notifyDeliverHandler(deps),
  ];
}

/** For runQueueWorkers: this process's Redis, prefix, logger, health, and every handler on its context. */
export function jobWorkerDeps(context: AppContext, queues: Queues): QueueWorkersDeps {
  return {
    connection: context.redis,
    prefix: context.config.queuePrefix,
    logger: context.logger,
    health: context.health,
    createHandlers: (shutdownSignal) => createJobHandlers({ context, queues, shutdownSignal }),
  };
}
