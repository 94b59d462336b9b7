import { DelayedError } from 'bullmq';
import { syncProvider } from '../../sync/sync-runner.ts';
import type { JobHandler } from '../job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';

/** Parked jobs come back this soon after a restart; the run resumes from its last committed page. */
const RESUME_AFTER_SHUTDOWN_MS = 5_000;

export function syncProviderHandler(deps: HandlerDeps): JobHandler<'sync.provider'> {
  return {
    name: 'sync.provider',
    async handle(job, token) {
      const handle = deps.context.providers.get(job.data.provider);
      if (handle === undefined) {
        deps.context.logger.warn({ provider: job.data.provider }, 'sync job for a provider that is no longer enabled; skipped');
        return { skipped: 'provider not enabled' };
      }
      try {
        return await syncProvider({ pool: deps.context.pool, logger: deps.context.logger, signal: deps.shutdownSignal }, handle.provider);
      } catch (error) {
        if (deps.shutdownSignal.aborted) {
          // stopped for a shutdown, not failed: park the job instead of burning an attempt
          await job.moveToDelayed(Date.now() + RESUME_AFTER_SHUTDOWN_MS, token);
          throw new DelayedError();
        }
        throw error;
      }
    },
  };
}
