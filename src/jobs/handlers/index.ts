/**
 * Every job handler of the worker. The registry checks this list against JOB_DEFINITIONS at boot.
 */
import type { AnyJobHandler } from '../job-registry.ts';
import { bulkChunkHandler } from './bulk-chunk.handler.ts';
import { dagPollHandler } from './dag-poll.handler.ts';
import { dagSweepHandler } from './dag-sweep.handler.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { historyPruneHandler } from './history-prune.handler.ts';
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
  ];
}
