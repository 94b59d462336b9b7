import { runBulkChunk } from '../../bulk/bulk-chunk-runner.ts';
import type { DagPollPolicy } from '../../domain/dag-poll-policy.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { parkForShutdown, parkUntil } from '../../jobs/park-job.ts';

/** How long a chunk job waits while another runner has its chunk. */
const BUSY_CHUNK_RETRY_MS = 10_000;

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
          registry: deps.context.registry,
          queues: deps.queues,
          signal: deps.shutdownSignal,
          notifications: deps.context.notifications,
          ...(options.dagPolicy === undefined ? {} : { dagPolicy: options.dagPolicy }),
        },
        job.data.operationId,
        job.data.chunk,
      );
      // a second job for a chunk being run: it comes back once the runner is likely done, without using an attempt
      if (outcome.kind === 'busy') {
        deps.context.logger.info({ jobId: job.id, ...job.data }, 'another runner has this bulk chunk; its job waits');
        return parkUntil(job, token, new Date(Date.now() + BUSY_CHUNK_RETRY_MS));
      }
      if (outcome.kind !== 'interrupted') return outcome;
      // stopped for a shutdown between items: the chunk's items resume where they stood
      return parkForShutdown(job, token);
    },
  };
}
