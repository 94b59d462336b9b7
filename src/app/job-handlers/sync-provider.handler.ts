import { syncProvider } from '../../sync/sync-runner.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { parkForShutdown } from '../../jobs/park-job.ts';

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
        const options = {
          pool: deps.context.pool,
          logger: deps.context.logger,
          signal: deps.shutdownSignal,
          notifications: deps.context.notifications,
          // earlier attempts' failures are retried: only the last one is reported as sync.failed
          failureIsFinal: job.attemptsMade + 1 >= (job.opts.attempts ?? 1),
        };
        return await syncProvider(options, handle.provider);
      } catch (error) {
        // stopped for a shutdown: the run resumes from its last committed page
        if (deps.shutdownSignal.aborted) return parkForShutdown(job, token);
        throw error;
      }
    },
  };
}
