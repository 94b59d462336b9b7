import { sweepLostJobs } from '../../jobs/lost-job-sweep.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';

/** Scheduled every minute by `start`: re-enqueues poll, chunk, sync, retention and delivery jobs that Postgres says are owed. */
export function dagSweepHandler(deps: HandlerDeps, options: { marginMs?: number } = {}): JobHandler<'dag.sweep'> {
  return {
    name: 'dag.sweep',
    handle: () =>
      sweepLostJobs(
        {
          db: deps.context.db,
          queues: deps.queues,
          logger: deps.context.logger,
          providers: [...deps.context.providers.keys()],
          deliverEvents: deps.context.config.notifyWebhook !== undefined,
        },
        options.marginMs,
      ),
  };
}
