import { UnrecoverableError } from 'bullmq';
import type { JobHandler } from '../../jobs/job-registry.ts';
import { createWebhookSender, NotificationEventMissingError } from '../../notifications/webhook-delivery.ts';
import type { HandlerDeps } from './handler-deps.ts';

/** Tries that find no event row before the job concludes its change was rolled back (about 6 s with the backoff). */
const MISSING_EVENT_TRIES = 3;

/** Delivers one notification event; a failed attempt throws, and BullMQ retries it with backoff. */
export function notifyDeliverHandler(deps: HandlerDeps, options: { timeoutMs?: number } = {}): JobHandler<'notify.deliver'> {
  const target = deps.context.config.notifyWebhook;
  const sender =
    target === undefined ? undefined : createWebhookSender({ pool: deps.context.pool, logger: deps.context.logger, target, timeoutMs: options.timeoutMs });
  return {
    name: 'notify.deliver',
    async handle(job) {
      // events are recorded only with a webhook set: this worker was started without one
      if (sender === undefined) throw new UnrecoverableError('NOTIFY_WEBHOOK_URL is not set in this worker: the event waits for one that has it');
      const attempt = job.attemptsMade + 1;
      try {
        return { result: await sender.deliver(job.data.eventId, attempt) };
      } catch (error) {
        // still missing after a few seconds: its transaction rolled back, so there is nothing to deliver; should it
        // commit after all, the lost-job sweep finds it undelivered and replaces this finished job
        if (!(error instanceof NotificationEventMissingError) || attempt < MISSING_EVENT_TRIES) throw error;
        deps.context.logger.info({ eventId: job.data.eventId }, 'notification event never committed (its change rolled back): nothing to deliver');
        return { result: 'never committed' };
      }
    },
  };
}
