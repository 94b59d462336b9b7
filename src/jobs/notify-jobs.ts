/**
 * Delivery jobs of notification events: one per event, its id the event's, so enqueueing again never sends twice
 * while the job is known. The outbox schedules one as each event is written; the lost-job sweep re-adds those
 * Redis lost or that used up their attempts.
 */
import type { Queue } from 'bullmq';
import type { Db } from '../db/client.ts';
import { undeliveredEventIds, type NotificationOutbox } from '../db/notification-events.repository.ts';
import type { Logger } from '../logger.ts';
import { ensureJob, type EnsureResult } from './ensure-job.ts';
import { jobOptions } from './queues.ts';

/**
 * The event row is written inside its change's transaction, and the job added at once (without waiting for the
 * commit): this delay lets the commit land first; a job that still finds no row is retried (see webhook-delivery).
 */
export const DELIVERY_DELAY_MS = 500;

export function ensureDeliveryJob(queue: Queue, eventId: string, delay = DELIVERY_DELAY_MS): Promise<EnsureResult> {
  // a failed job (attempts used up) is replaced: the event is owed until a receiver accepts it
  return ensureJob(queue, eventId, () => queue.add('notify.deliver', { eventId }, jobOptions('notify.deliver', { jobId: eventId, delay })), { replaceFinished: true });
}

/** How long a closing process waits for its delivery jobs to be added. */
const FLUSH_TIMEOUT_MS = 5_000;

export interface QueuedNotificationOutbox extends NotificationOutbox {
  /** resolves once every delivery job asked for so far is added (or failed to be): before the queue is closed */
  flush(): Promise<void>;
}

/** The outbox of a process with notifications on: each recorded event gets its delivery job, without blocking the caller. */
export function createNotificationOutbox(queue: Queue, logger: Logger): QueuedNotificationOutbox {
  const pending = new Set<Promise<unknown>>();
  return {
    recorded(eventId) {
      // Redis may be down: the event is in Postgres, and the lost-job sweep adds its job later
      const adding = ensureDeliveryJob(queue, eventId)
        .catch((error: unknown) =>
          logger.warn({ eventId, err: error }, 'could not schedule the delivery of a notification event now; the lost-job sweep will'),
        )
        .finally(() => pending.delete(adding));
      pending.add(adding);
    },
    async flush() {
      if (pending.size === 0) return;
      // with Redis unreachable an add waits for it indefinitely: give up waiting, the sweep adds what is missing
      let timer: NodeJS.Timeout | undefined;
      const waited = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), FLUSH_TIMEOUT_MS);
      });
      const outcome = await Promise.race([Promise.all([...pending]).then(() => 'added' as const), waited]);
      clearTimeout(timer);
      if (outcome === 'timeout') logger.warn({ pending: pending.size }, 'notification delivery jobs not added in time; the lost-job sweep will add them');
    },
  };
}

/** Undelivered events whose job is gone or failed for good get a job again; returns how many. */
export async function ensureDeliveryJobs(db: Db, queue: Queue): Promise<number> {
  let added = 0;
  for (const eventId of await undeliveredEventIds(db)) {
    if ((await ensureDeliveryJob(queue, eventId, 0)) !== 'exists') added += 1;
  }
  return added;
}
