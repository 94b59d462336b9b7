import { describe, expect, it } from 'vitest';
import { pickRunToAdopt } from '../../src/domain/dag-adoption.ts';
import { DEFAULT_DAG_POLL_POLICY, decidePoll, parseDuration } from '../../src/domain/dag-poll-policy.ts';
import type { DagRunSnapshot } from '../../src/providers/provider.ts';

const policy = { ...DEFAULT_DAG_POLL_POLICY, baseMs: 1_000, capMs: 8_000, minMs: 200 };
const now = 1_000_000;

describe('decidePoll', () => {
  it('ends on a final phase, whatever the clock says', () => {
    expect(decidePoll('succeeded', 3, now, now - 1, policy)).toEqual({ kind: 'finish', outcome: 'succeeded' });
    expect(decidePoll('failed', 1, now, now + 60_000, policy)).toEqual({ kind: 'finish', outcome: 'failed' });
  });

  it('keeps polling a running, unknown or unanswered run until its deadline, then times it out', () => {
    for (const observation of ['running', 'unknown', 'no_answer'] as const) {
      expect(decidePoll(observation, 2, now, now + 60_000, policy, () => 0.5).kind).toBe('park');
      expect(decidePoll(observation, 2, now + 60_000, now + 60_000, policy)).toEqual({ kind: 'finish', outcome: 'timed_out' });
    }
  });

  it('backs off with full jitter up to the cap, never under the floor', () => {
    expect(decidePoll('running', 1, now, now + 1e9, policy, () => 0.999)).toEqual({ kind: 'park', at: now + 999 });
    expect(decidePoll('running', 3, now, now + 1e9, policy, () => 0.5)).toEqual({ kind: 'park', at: now + 2_000 });
    expect(decidePoll('running', 30, now, now + 1e9, policy, () => 0.999)).toEqual({ kind: 'park', at: now + 7_992 });
    expect(decidePoll('running', 30, now, now + 1e9, policy, () => 0)).toEqual({ kind: 'park', at: now + 200 });
  });

  it('never schedules the next poll past the deadline, so a timeout is declared at the deadline', () => {
    expect(decidePoll('running', 30, now, now + 1_500, policy, () => 0.999)).toEqual({ kind: 'park', at: now + 1_500 });
  });
});

describe('parseDuration', () => {
  it('reads units and bare seconds', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('30m')).toBe(1_800_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1500ms')).toBe(1_500);
    expect(parseDuration('4')).toBe(4_000);
    expect(parseDuration('1.5m')).toBe(90_000);
  });

  it('refuses anything else', () => {
    for (const text of ['', 'soon', '-5s', '0', '10d', '5 minutes']) expect(parseDuration(text)).toBeUndefined();
  });
});

describe('pickRunToAdopt', () => {
  const startedAt = new Date('2026-03-01T10:00:00Z');
  const run = (runId: string, createdAt: string | null, dagActionId?: string): DagRunSnapshot => ({
    runId,
    status: 'running',
    dagActionId,
    createdAt: createdAt === null ? null : new Date(createdAt),
    messages: [],
    raw: {},
  });

  it('takes the earliest unclaimed run of the same action created after the row', () => {
    const runs = [
      run('1', '2026-03-01T09:00:00Z', '7'),
      run('2', '2026-03-01T10:00:03Z', '7'),
      run('3', '2026-03-01T10:00:01Z', '8'),
      run('4', '2026-03-01T10:00:02Z', '7'),
    ];
    expect(pickRunToAdopt(runs, { dagActionId: '7', startedAt }, new Set())?.runId).toBe('4');
    expect(pickRunToAdopt(runs, { dagActionId: '7', startedAt }, new Set(['4']))?.runId).toBe('2');
  });

  it('tolerates clock skew, but not an older run or one without a creation time', () => {
    expect(pickRunToAdopt([run('1', '2026-03-01T09:59:30Z', '7')], { dagActionId: '7', startedAt }, new Set())?.runId).toBe('1');
    expect(pickRunToAdopt([run('1', '2026-03-01T09:58:00Z', '7')], { dagActionId: '7', startedAt }, new Set())).toBeUndefined();
    expect(pickRunToAdopt([run('1', null, '7')], { dagActionId: '7', startedAt }, new Set())).toBeUndefined();
  });

  it('accepts a run whose action the provider does not name', () => {
    expect(pickRunToAdopt([run('9', '2026-03-01T10:00:05Z')], { dagActionId: '7', startedAt }, new Set())?.runId).toBe('9');
  });
});
