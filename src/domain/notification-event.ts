/**
 * The events the notification webhook receives: one per retention run applied, refused, failed or awaiting
 * approval, per sync that ended partial or failed, per DAG run failed or timed out, per bulk operation finished
 * with failures. Data holds ids, counts and reasons only: never a credential, API key or signed URL.
 */
import type { ProviderName } from './provider-facts.ts';

export interface RetentionEventData {
  provider: ProviderName;
  runId: number;
  planned: number;
  applied: number;
  failed: number;
  skipped: number;
}

/** `status` is the provider's own, verbatim; `reason` why the worker ended the run (null: the provider's status did) */
export interface DagRunEventData {
  provider: 'mediapocket';
  dagRunId: number;
  assetId: string;
  dagActionId: string;
  providerRunId: string | null;
  status: string | null;
  reason: string | null;
}

export interface NotificationEventData {
  'retention.applied': RetentionEventData;
  'retention.failed': RetentionEventData;
  'retention.refused': { provider: ProviderName; runId: number; limit: string; reason: string; planned: number };
  'retention.awaiting_approval': { provider: ProviderName; runId: number; planned: number; expiresAt: string | null };
  'sync.partial': { provider: ProviderName; runId: number; reason: string | null; pages: number; seen: number };
  'sync.failed': { provider: ProviderName; runId: number; reason: string };
  'dag_run.failed': DagRunEventData;
  'dag_run.timed_out': DagRunEventData;
  'bulk.finished_with_failures': { provider: ProviderName; operationId: number; action: string; items: number; done: number; failed: number; skipped: number };
}

export type NotificationEventType = keyof NotificationEventData;

export const NOTIFICATION_EVENT_TYPES: readonly NotificationEventType[] = [
  'retention.applied',
  'retention.refused',
  'retention.failed',
  'retention.awaiting_approval',
  'sync.partial',
  'sync.failed',
  'dag_run.failed',
  'dag_run.timed_out',
  'bulk.finished_with_failures',
];

/** What a receiver gets as the request body; `id` is also the `webhook-id` header. */
export interface NotificationEvent<T extends NotificationEventType = NotificationEventType> {
  id: string;
  type: T;
  /** ISO 8601, when the state change was recorded */
  timestamp: string;
  data: NotificationEventData[T];
}

/** `evt_` and a random UUID without dashes: an id Standard Webhooks allows, unique without coordination. */
export function notificationEventId(uuid: string): string {
  return `evt_${uuid.replaceAll('-', '')}`;
}

export function buildNotificationEvent<T extends NotificationEventType>(type: T, data: NotificationEventData[T], id: string, at: Date): NotificationEvent<T> {
  return { id, type, timestamp: at.toISOString(), data };
}

/** A finished retention apply run reports `applied`, unless any of its actions failed. */
export function retentionFinishedType(failed: number): 'retention.applied' | 'retention.failed' {
  return failed > 0 ? 'retention.failed' : 'retention.applied';
}

/** A DAG run's ended outcome, as the event reporting it (none for success). */
export function dagRunEventType(outcome: string): 'dag_run.failed' | 'dag_run.timed_out' | undefined {
  if (outcome === 'failed') return 'dag_run.failed';
  if (outcome === 'timed_out') return 'dag_run.timed_out';
  return undefined;
}

/** The request body: the event as JSON, once, so the signature covers exactly the bytes sent. */
export function notificationBody(event: NotificationEvent): string {
  return JSON.stringify(event);
}
