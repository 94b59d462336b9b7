import { runBulkChunk } from '../../bulk/bulk-chunk-runner.ts';
import type { DagPollPolicy } from '../../domain/dag-poll-policy.ts';
import type { JobHandler } from '../job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { parkForShutdown } from './park-job.ts';

export function bulkChunkHandler(deps: HandlerDeps, options: { dagPolicy?: DagPollPolicy } = {}): JobHandler<'bulk.chunk'> {
  return {
    name: 'bulk.chunk',
    async handle(job, token) {
      const outcome = await runBulkChunk(
        {
          pool: deps.context.pool,
          db: deps.context.db,
          logger: deps.context.logger,
          providers: deps.context.providers,
          queues: deps.queues,
          signal: deps.shutdownSignal,
          ...(options.dagPolicy === undefined ? {} : { dagPolicy: options.dagPolicy }),
        },
        job.data.operationId,
        job.data.chunk,
      );
      if (outcome.kind !== 'interrupted') return outcome;
      // stopped for a shutdown between items: the chunk's items resume where they stood
      return parkForShutdown(job, token);
    },
  };
}
