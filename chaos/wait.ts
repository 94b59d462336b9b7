/**
 * Waiting with a deadline. A probe that throws (a server being restarted) counts as "not yet": the chaos suite
 * polls through the very outages it causes.
 */
export class DeadlineError extends Error {
  override name = 'DeadlineError';
}

/** Thrown by a probe when waiting longer is pointless (the process that would do the work has exited). */
export class GiveUp extends Error {
  override name = 'GiveUp';
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export interface UntilOptions {
  timeoutMs: number;
  pollMs?: number;
  /** what was awaited, for the failure message */
  what: string;
}

export async function until<T>(probe: () => Promise<T | undefined | false>, options: UntilOptions): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      if (error instanceof GiveUp) throw error;
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last probe error: ${lastError.message})` : '';
      throw new DeadlineError(`${options.what}: not within ${Math.round(options.timeoutMs / 1000)} s${cause}`);
    }
    await sleep(options.pollMs ?? 100);
  }
}

/** Resolves with `value` or undefined after `ms`, whichever comes first. */
export function within<T>(promise: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
