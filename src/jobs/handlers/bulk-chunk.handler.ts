import { DelayedError } from 'bullmq';
import { runBulkChunk } from '../../bulk/bulk-chunk-runner.ts';
import type { DagPollPolicy } from '../../domain/dag-poll-policy.ts';
import type { JobHandler } from '../job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';

/** Parked chunks come back this soon after a restart; their items resume where they stood. */
const RESUME_AFTER_SHUTDOWN_MS = 5_000;

export function bulkChunkHandler(deps: HandlerDeps, options: { dagPolicy?: DagPollPolicy; maxAttempts?: number } = {}): JobHandler<'bulk.chunk'> {
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
          ...(options.maxAttempts === undefined ? {} : { maxAttempts: options.maxAttempts }),
        },
        job.data.operationId,
        job.data.chunk,
      );
      if (outcome.kind !== 'interrupted') return outcome;
      // stopped for a shutdown between items, not failed: park instead of burning an attempt
      await job.moveToDelayed(Date.now() + RESUME_AFTER_SHUTDOWN_MS, token);
      throw new DelayedError();
    },
  };
}
