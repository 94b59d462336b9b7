import { UnrecoverableError } from 'bullmq';
import type { JobHandler } from '../../jobs/job-registry.ts';
import { createWebhookSender } from '../../notifications/webhook-delivery.ts';
import type { HandlerDeps } from './handler-deps.ts';

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
      return { result: await sender.deliver(job.data.eventId, job.attemptsMade + 1) };
    },
  };
}
