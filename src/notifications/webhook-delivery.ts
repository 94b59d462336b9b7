/**
 * One delivery attempt of one notification event: POST the event as JSON to the webhook URL with the Standard
 * Webhooks headers (webhook-id = the event id on every attempt, webhook-timestamp = this attempt, webhook-signature
 * = HMAC-SHA256 over id, timestamp and body, by the `standardwebhooks` library). A 2xx marks the event delivered;
 * anything else is recorded on the event and thrown, so the job's BullMQ attempts and backoff retry it. No
 * retry inside an attempt, and the receiver's answer body is never read or logged.
 */
import type pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { request } from 'undici';
import { findNotificationEvent, recordDeliveryAttempt } from '../db/notification-events.repository.ts';
import { notificationBody } from '../domain/notification-event.ts';
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { Secret } from '../secret.ts';

const DEFAULT_WEBHOOK_TIMEOUT_MS = 10_000;

/** The receiver did not accept the event (a non-2xx answer, a timeout, no connection): retried by the job. */
export class WebhookDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}

/** No such event (yet): its transaction has not committed, or rolled back. Retried; a rolled-back one runs out of attempts. */
export class NotificationEventMissingError extends Error {
  constructor(eventId: string) {
    super(`notification event ${eventId} is not in the outbox (not committed yet, or its change was rolled back)`);
    this.name = 'NotificationEventMissingError';
  }
}

export interface WebhookTarget {
  url: string;
  secret: Secret;
}

export interface WebhookSender {
  deliver(eventId: string, attempt: number): Promise<'delivered' | 'already_delivered'>;
}

export function createWebhookSender(deps: { pool: pg.Pool; logger: Logger; target: WebhookTarget; timeoutMs?: number }): WebhookSender {
  const timeoutMs = deps.timeoutMs ?? DEFAULT_WEBHOOK_TIMEOUT_MS;
  const log = deps.logger.child({ component: 'notify' });

  async function post(eventId: string, body: string): Promise<number> {
    // built per request, as provider keys are: the secret lives only inside the signing call
    const signer = new Webhook(deps.target.secret.reveal());
    const sentAt = new Date();
    const response = await request(deps.target.url, {
      method: 'POST',
      headersTimeout: timeoutMs,
      bodyTimeout: timeoutMs,
      // the whole attempt, connecting included
      signal: AbortSignal.timeout(timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'asset-worker-webhooks',
        'webhook-id': eventId,
        'webhook-timestamp': String(Math.floor(sentAt.getTime() / 1000)),
        'webhook-signature': signer.sign(eventId, sentAt, body),
      },
      body,
    });
    // the receiver's answer body is not ours to keep: drained and dropped
    await response.body.dump();
    return response.statusCode;
  }

  return {
    async deliver(eventId, attempt) {
      const stored = await findNotificationEvent(deps.pool, eventId);
      if (stored === undefined) throw new NotificationEventMissingError(eventId);
      if (stored.deliveredAt !== null) return 'already_delivered';
      const fields = { eventId, type: stored.event.type, attempt };
      let status: number | undefined;
      let failure: string;
      try {
        status = await post(eventId, notificationBody(stored.event));
        failure = `the webhook answered HTTP ${status}`;
      } catch (error) {
        // a timeout, a refused connection, a reset: the receiver did not take it
        failure = `the webhook could not be reached: ${errorMessage(error)}`;
      }
      if (status !== undefined && status >= 200 && status < 300) {
        await recordDeliveryAttempt(deps.pool, eventId, { deliveredAt: new Date() });
        log.info({ ...fields, status }, 'notification event delivered');
        return 'delivered';
      }
      await recordDeliveryAttempt(deps.pool, eventId, { error: failure });
      // the worker logs the failed attempt (one warn line: queue, job id = event id, attempts, this message)
      throw new WebhookDeliveryError(`notification event ${eventId} (${stored.event.type}) not delivered: ${failure}`);
    },
  };
}
