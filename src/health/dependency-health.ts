/**
 * Postgres and Redis as two up/down states. Connection errors arrive as floods (every client, every reconnect
 * attempt, every worker loop); each is only a suspicion that a probe confirms or clears. A dependency changes
 * state on a probe's answer alone, and each change is logged once: "<dependency> down", then "<dependency> back".
 * While down, the dependency is probed every `recheckMs` until it answers; while up, every `heartbeatMs` if set.
 */
import { errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';

export const DEPENDENCIES = ['postgres', 'redis'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** Answers when the dependency serves a trivial request; rejects with the reason otherwise. */
export type DependencyProbe = () => Promise<void>;

export interface DependencyStatus {
  up: boolean;
  /** when the current state began */
  since: Date;
  /** why it is down */
  error: string | undefined;
}

export interface FailureReport {
  /** logged (at warn) only when the dependency turns out to answer: an error that is not an outage */
  message: string;
  fields?: Record<string, unknown>;
}

export interface DependencyHealth {
  /**
   * An error seen on a dependency's connection. If the dependency is already down it is counted and dropped;
   * otherwise a probe decides whether it is an outage (logged once as "down") or an error worth its own line.
   */
  reportFailure(dependency: Dependency, error: unknown, report?: FailureReport): void;
  /** A sign the dependency may be back (a reconnect): probe it now rather than at the next recheck. */
  recheck(dependency: Dependency): void;
  /** Probes now (joining a probe in progress) and returns the resulting state. */
  check(dependency: Dependency): Promise<DependencyStatus>;
  status(dependency: Dependency): DependencyStatus;
  /** Stops probing and reporting: after this, errors (e.g. from closing connections) are ignored. */
  close(): void;
}

export interface DependencyHealthOptions {
  logger: Logger;
  probes: Record<Dependency, DependencyProbe>;
  /** how often a dependency that is down is probed */
  recheckMs?: number;
  /** a probe that has not answered by then counts as failed */
  probeTimeoutMs?: number;
  /**
   * how often a dependency that is up is probed anyway (off when absent): an idle process may hold no connection
   * whose error would tell it of an outage
   */
  heartbeatMs?: number;
  clock?: () => Date;
}

interface State {
  up: boolean;
  since: Date;
  error: string | undefined;
  probing: Promise<DependencyStatus> | undefined;
  recheckTimer: NodeJS.Timeout | undefined;
  /** errors dropped while down */
  suppressed: number;
  /** errors waiting for the probe in progress to say whether they are an outage (at most MAX_PENDING kept) */
  pending: Array<{ error: unknown; report: FailureReport }>;
  overflow: number;
}

const MAX_PENDING = 10;

function withTimeout(work: Promise<void>, timeoutMs: number, dependency: Dependency): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${dependency} did not answer within ${timeoutMs} ms`)), timeoutMs);
  });
  // a probe that loses the race may still settle later: its outcome is of no interest then
  work.catch(() => undefined);
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

export function createDependencyHealth(options: DependencyHealthOptions): DependencyHealth {
  const { logger } = options;
  const clock = options.clock ?? (() => new Date());
  const recheckMs = options.recheckMs ?? 1_000;
  const probeTimeoutMs = options.probeTimeoutMs ?? 2_000;
  let closed = false;
  const states = new Map<Dependency, State>(
    DEPENDENCIES.map((dependency) => [
      dependency,
      { up: true, since: clock(), error: undefined, probing: undefined, recheckTimer: undefined, suppressed: 0, pending: [], overflow: 0 },
    ]),
  );
  const stateOf = (dependency: Dependency): State => states.get(dependency) as State;
  const snapshot = (state: State): DependencyStatus => ({ up: state.up, since: state.since, error: state.error });

  const scheduleRecheck = (dependency: Dependency, state: State) => {
    if (closed || state.recheckTimer !== undefined) return;
    state.recheckTimer = setTimeout(() => {
      state.recheckTimer = undefined;
      void check(dependency);
    }, recheckMs);
    state.recheckTimer.unref();
  };

  const settle = (dependency: Dependency, state: State, failure: unknown | undefined): void => {
    const now = clock();
    const { pending, overflow } = state;
    state.pending = [];
    state.overflow = 0;
    if (failure === undefined) {
      if (!state.up) {
        logger.info({ dependency, downForMs: now.getTime() - state.since.getTime(), errorsWhileDown: state.suppressed }, `${dependency} back`);
        Object.assign(state, { up: true, since: now, error: undefined, suppressed: 0 });
      }
      // the dependency answers: these errors were not an outage, so each is worth its line
      // the message only: a pg error from the pool carries the client, and with it the connection's parameters
      for (const { error, report } of pending) logger.warn({ ...report.fields, dependency, error: errorMessage(error) }, report.message);
      if (overflow > 0) logger.warn({ dependency, errors: overflow }, `${dependency}: more errors of the same burst not logged`);
      return;
    }
    if (state.up) {
      // the error that raised the suspicion usually says more than the probe's refusal
      const cause = pending[0]?.error ?? failure;
      Object.assign(state, { up: false, since: now, error: errorMessage(cause), suppressed: pending.length + overflow });
      logger.warn({ dependency, error: errorMessage(cause), probe: errorMessage(failure) }, `${dependency} down`);
    } else {
      state.suppressed += pending.length + overflow;
    }
    scheduleRecheck(dependency, state);
  };

  const check = (dependency: Dependency): Promise<DependencyStatus> => {
    const state = stateOf(dependency);
    if (state.probing !== undefined) return state.probing;
    if (closed) return Promise.resolve(snapshot(state));
    const probing = (async () => {
      let failure: unknown;
      try {
        await withTimeout(options.probes[dependency](), probeTimeoutMs, dependency);
      } catch (error) {
        failure = error ?? new Error(`${dependency} probe failed`);
      }
      state.probing = undefined;
      if (!closed) settle(dependency, state, failure);
      return snapshot(state);
    })();
    state.probing = probing;
    return probing;
  };

  const heartbeat =
    options.heartbeatMs === undefined
      ? undefined
      : setInterval(() => {
          for (const dependency of DEPENDENCIES) if (stateOf(dependency).up) void check(dependency);
        }, options.heartbeatMs).unref();

  return {
    reportFailure(dependency, error, report) {
      if (closed) return;
      const state = stateOf(dependency);
      if (!state.up) {
        state.suppressed += 1;
        return;
      }
      if (state.pending.length < MAX_PENDING) state.pending.push({ error, report: report ?? { message: `${dependency} error` } });
      else state.overflow += 1;
      void check(dependency);
    },
    recheck(dependency) {
      if (!closed && !stateOf(dependency).up) void check(dependency);
    },
    check,
    status: (dependency) => snapshot(stateOf(dependency)),
    close() {
      closed = true;
      clearInterval(heartbeat);
      for (const state of states.values()) clearTimeout(state.recheckTimer);
    },
  };
}
