/**
 * When to poll a DAG action run next, and when to stop. Pure: the poller feeds it the phase it saw and the clock.
 */
import type { DagRunPhase } from './dag-run.ts';
import { fullJitterDelay } from './backoff.ts';

export const DAG_OUTCOMES = ['starting', 'running', 'succeeded', 'failed', 'timed_out'] as const;
export type DagOutcome = (typeof DAG_OUTCOMES)[number];
export type DagFinalOutcome = 'succeeded' | 'failed' | 'timed_out';

export const OPEN_DAG_OUTCOMES: readonly DagOutcome[] = ['starting', 'running'];

export function isOpenOutcome(outcome: string): boolean {
  return (OPEN_DAG_OUTCOMES as readonly string[]).includes(outcome);
}

export interface DagPollPolicy {
  /** full-jitter backoff between polls: a delay up to min(cap, base * 2^(poll-1)) */
  baseMs: number;
  capMs: number;
  /** never poll sooner than this after the last poll, however small the jitter draw */
  minMs: number;
  /**
   * How long a run may sit in 'starting' (start call sent, answer not recorded) before it is resolved from the
   * provider's list of runs. Longer than the longest a start call can take (the HTTP path's retry time), so a
   * start call still in flight in another process is never second-guessed.
   */
  startGraceMs: number;
  /** after a start call that failed in a way that leaves its effect unknown, look for the run this much later */
  startRecheckMs: number;
}

export const DEFAULT_DAG_POLL_POLICY: DagPollPolicy = Object.freeze({
  baseMs: 1_000,
  capMs: 30_000,
  minMs: 250,
  startGraceMs: 15 * 60_000,
  startRecheckMs: 30_000,
});

/** Deadline of a run when none is asked for. */
export const DEFAULT_DAG_TIMEOUT_MS = 30 * 60_000;

/** What the poller saw this time: a phase, or no answer worth trusting (429, 5xx, run not listed). */
export type PollObservation = DagRunPhase | 'no_answer';

export type PollDecision = { kind: 'finish'; outcome: DagFinalOutcome } | { kind: 'park'; at: number };

/**
 * `attempt` is the number of polls made so far, this one included. The next poll never lands after the deadline:
 * a run that never ends is declared timed out at its deadline, not up to one backoff cap later.
 */
export function decidePoll(
  observation: PollObservation,
  attempt: number,
  now: number,
  deadline: number,
  policy: DagPollPolicy,
  random: () => number = Math.random,
): PollDecision {
  if (observation === 'succeeded' || observation === 'failed') return { kind: 'finish', outcome: observation };
  if (now >= deadline) return { kind: 'finish', outcome: 'timed_out' };
  const delay = Math.max(policy.minMs, fullJitterDelay(attempt, policy, random));
  return { kind: 'park', at: Math.min(now + delay, deadline) };
}

/**
 * Parses a duration such as "90s", "30m", "2h", "1500ms" or a bare number of seconds. Returns milliseconds, or
 * undefined when the text is not a positive duration.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^\s*(\d+(?:\.\d+)?)\s*(ms|s|m|h)?\s*$/.exec(text);
  if (match === null) return undefined;
  const value = Number(match[1]);
  const unit = match[2] ?? 's';
  const factor = unit === 'ms' ? 1 : unit === 's' ? 1_000 : unit === 'm' ? 60_000 : 3_600_000;
  const ms = Math.round(value * factor);
  return ms > 0 ? ms : undefined;
}
