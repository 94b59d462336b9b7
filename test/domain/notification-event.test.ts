import { describe, expect, it } from 'vitest';
import {
  buildNotificationEvent,
  dagRunEventType,
  NOTIFICATION_EVENT_TYPES,
  notificationBody,
  notificationEventId,
  retentionFinishedType,
} from '../../src/domain/notification-event.ts';

describe('notification events', () => {
  it('an id is evt_ and the UUID without dashes: the same UUID gives the same id', () => {
    const id = notificationEventId('0b6a5c1e-8f2d-4c1b-9a7e-3d2f1e0c9b8a');
    expect(id).toBe('evt_0b6a5c1e8f2d4c1b9a7e3d2f1e0c9b8a');
    expect(id).toMatch(/^evt_[0-9a-f]{32}$/);
  });

  it('an event carries its id, type, ISO timestamp and data, and its body is that JSON', () => {
    const at = new Date('2026-12-06T03:30:00.000Z');
    const event = buildNotificationEvent('retention.refused', { provider: 'roughy', runId: 12, limit: 'max_actions', reason: 'too many', planned: 900 }, 'evt_1', at);
    expect(event).toEqual({
      id: 'evt_1',
      type: 'retention.refused',
      timestamp: '2026-12-06T03:30:00.000Z',
      data: { provider: 'roughy', runId: 12, limit: 'max_actions', reason: 'too many', planned: 900 },
    });
    expect(JSON.parse(notificationBody(event))).toEqual(event);
  });

  it('a finished retention run is applied unless an action failed', () => {
    expect(retentionFinishedType(0)).toBe('retention.applied');
    expect(retentionFinishedType(1)).toBe('retention.failed');
  });

  it('only failed and timed-out DAG runs are reported', () => {
    expect(dagRunEventType('failed')).toBe('dag_run.failed');
    expect(dagRunEventType('timed_out')).toBe('dag_run.timed_out');
    expect(dagRunEventType('succeeded')).toBeUndefined();
    expect(dagRunEventType('running')).toBeUndefined();
  });

  it('lists each event type once', () => {
    expect(new Set(NOTIFICATION_EVENT_TYPES).size).toBe(NOTIFICATION_EVENT_TYPES.length);
    expect(NOTIFICATION_EVENT_TYPES).toHaveLength(9);
  });
});
