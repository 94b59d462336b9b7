/**
 * The webhook outbox. An event is written with the change it reports (in the same transaction where there is
 * one), then delivered by a job until the receiver accepts it. `outbox` undefined: notifications are off
 * (NOTIFY_WEBHOOK_URL unset) and nothing is recorded.
 */
import { randomUUID } from 'node:crypto';
import { and, asc, isNull, lt } from 'drizzle-orm';
import type pg from 'pg';
import type { Db } from './client.ts';
import { notificationEvents } from './schema.ts';
import {
  buildNotificationEvent,
  notificationEventId,
  type NotificationEvent,
  type NotificationEventData,
  type NotificationEventType,
} from '../domain/notification-event.ts';

type Queryable = Pick<pg.PoolClient, 'query'>;

/** Told of each event written, so its delivery can be scheduled (the lost-job sweep covers a missed one). */
export interface NotificationOutbox {
  recorded(eventId: string): void;
}

export async function recordNotificationEvent<T extends NotificationEventType>(
  db: Queryable,
  outbox: NotificationOutbox | undefined,
  type: T,
  data: NotificationEventData[T],
  at: Date = new Date(),
): Promise<string | undefined> {
  if (outbox === undefined) return undefined;
  const event = buildNotificationEvent(type, data, notificationEventId(randomUUID()), at);
  await db.query('INSERT INTO notification_events (id, type, payload, created_at) VALUES ($1, $2, $3, $4)', [event.id, event.type, event, at]);
  outbox.recorded(event.id);
  return event.id;
}

export interface StoredNotificationEvent {
  id: string;
  event: NotificationEvent;
  deliveredAt: Date | null;
  attempts: number;
  lastError: string | null;
}

export async function findNotificationEvent(db: Queryable, id: string): Promise<StoredNotificationEvent | undefined> {
  const result = await db.query<{ id: string; payload: NotificationEvent; delivered_at: Date | null; attempts: number; last_error: string | null }>(
    'SELECT id, payload, delivered_at, attempts, last_error FROM notification_events WHERE id = $1',
    [id],
  );
  const row = result.rows[0];
  return row === undefined ? undefined : { id: row.id, event: row.payload, deliveredAt: row.delivered_at, attempts: row.attempts, lastError: row.last_error };
}

/** One delivery attempt's result: delivered_at on a 2xx (the first one wins), else the error. */
export async function recordDeliveryAttempt(db: Queryable, id: string, result: { deliveredAt: Date } | { error: string }): Promise<void> {
  if ('deliveredAt' in result) {
    await db.query(
      'UPDATE notification_events SET attempts = attempts + 1, delivered_at = COALESCE(delivered_at, $2), last_error = NULL WHERE id = $1',
      [id, result.deliveredAt],
    );
  } else {
    await db.query('UPDATE notification_events SET attempts = attempts + 1, last_error = $2 WHERE id = $1', [id, result.error.slice(0, 1000)]);
  }
}

/**
 * Delivery attempts after which an event is given up: three delivery jobs' worth (about three and a half hours), so a
 * receiver that refuses an event for good neither gets it for ever nor keeps newer events from the sweep.
 */
export const MAX_EVENT_DELIVERY_ATTEMPTS = 36;

/** The oldest events no receiver has accepted yet and not given up. */
export async function undeliveredEventIds(db: Db, limit = 1000): Promise<string[]> {
  const rows = await db
    .select({ id: notificationEvents.id })
    .from(notificationEvents)
    .where(and(isNull(notificationEvents.deliveredAt), lt(notificationEvents.attempts, MAX_EVENT_DELIVERY_ATTEMPTS)))
    .orderBy(asc(notificationEvents.createdAt))
    .limit(limit);
  return rows.map((row) => row.id);
}
