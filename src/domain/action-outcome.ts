/**
 * What becomes of each id an action was sent for (retention's and bulk's one rule). Pure: the engine in
 * src/actions feeds it the provider's answer, the kind of a failed call, or a lookup's answer, and does what
 * it says. The safe direction everywhere: never assume done, never act twice on an unknown outcome.
 */

/** How a whole call failed, as the HTTP path classified it (mirrors ProviderError's kinds). */
export type CallFailureKind = 'auth' | 'not_found' | 'permanent' | 'retryable' | 'rate_limited';

/** Where the provider's answer put an id; `left_out` when it named the id in none of its lists. */
export type AnswerPlace = 'done' | 'gone' | 'not_done' | 'left_out';

/** Why an id is checked by lookup before anything else is decided. */
export type VerifyCause =
  /** not done after its last allowed attempt */
  | 'exhausted'
  /** the call failed in a way that may have reached the provider (5xx, timeouts, 429s past the HTTP retries) */
  | 'uncertain'
  /** a 404 on a call for several ids: which of them is gone is unknown */
  | 'not_found_in_batch'
  /** found in flight when the engine started: an earlier attempt died mid-call */
  | 'resume';

/** What a lookup said about an action that was (perhaps) sent; `lookup_failed` when the lookup itself failed. */
export type LookupAnswer = 'applied' | 'gone' | 'not_applied' | 'lookup_failed';

export type FailureCategory =
  /** 401/403 */
  | 'permission'
  /** any other 4xx: the call was refused as a whole */
  | 'permanent'
  /** still not done after the last attempt, as a lookup confirmed */
  | 'exhausted'
  /** the provider kept failing and a lookup shows it not done */
  | 'unavailable'
  /** a 404 on a multi-id call, and a lookup shows this asset present and not done */
  | 'not_found_in_batch'
  /** the lookup that should have decided failed too */
  | 'unverified'
  /** the run stopped (permission, unavailable) before this id was sent */
  | 'not_attempted';

export type IdOutcome =
  | { kind: 'done' }
  | { kind: 'gone' }
  /** back to planned/pending, tried again in this run */
  | { kind: 'retry' }
  | { kind: 'verify'; cause: VerifyCause }
  | { kind: 'failed'; category: FailureCategory }
  /** nothing may be decided or sent: the job fails and is retried (a resume whose lookup failed) */
  | { kind: 'unknown' };

export type StopKind = 'permission' | 'unavailable' | 'signal';

export interface ActionPolicy {
  /** calls an id gets before a not-done answer is verified and, if confirmed, failed */
  maxAttempts: number;
  /** failed calls in a row (retryable / rate-limited) after which the run stops */
  maxConsecutiveFailures: number;
}

export const DEFAULT_ACTION_POLICY: ActionPolicy = { maxAttempts: 3, maxConsecutiveFailures: 3 };

/** An id the provider answered for; `attempts` counts the call just made. */
export function outcomeOfAnswer(place: AnswerPlace, attempts: number, policy: ActionPolicy): IdOutcome {
  switch (place) {
    case 'done':
      return { kind: 'done' };
    case 'gone':
      return { kind: 'gone' };
    case 'not_done':
    case 'left_out':
      // never assumed done: tried again, and before giving up the provider is asked
      return attempts < policy.maxAttempts ? { kind: 'retry' } : { kind: 'verify', cause: 'exhausted' };
  }
}

export interface CallFailureOutcome {
  /** the same for every id of the call */
  each: IdOutcome;
  consecutiveFailures: number;
  stop?: Exclude<StopKind, 'signal'>;
}

/** A call that failed as a whole; `consecutiveFailures` counts failed calls in a row before this one. */
export function outcomeOfCallFailure(kind: CallFailureKind, ids: number, consecutiveFailures: number, policy: ActionPolicy): CallFailureOutcome {
  switch (kind) {
    case 'auth':
      return { each: { kind: 'failed', category: 'permission' }, consecutiveFailures, stop: 'permission' };
    case 'not_found':
      return { each: ids === 1 ? { kind: 'gone' } : { kind: 'verify', cause: 'not_found_in_batch' }, consecutiveFailures };
    case 'permanent':
      return { each: { kind: 'failed', category: 'permanent' }, consecutiveFailures };
    case 'retryable':
    case 'rate_limited': {
      const failures = consecutiveFailures + 1;
      const each: IdOutcome = { kind: 'verify', cause: 'uncertain' };
      return failures >= policy.maxConsecutiveFailures ? { each, consecutiveFailures: failures, stop: 'unavailable' } : { each, consecutiveFailures: failures };
    }
  }
}

const NOT_APPLIED: Record<VerifyCause, IdOutcome> = {
  exhausted: { kind: 'failed', category: 'exhausted' },
  uncertain: { kind: 'failed', category: 'unavailable' },
  not_found_in_batch: { kind: 'failed', category: 'not_found_in_batch' },
  // the interrupted call did not take effect: safe to send again
  resume: { kind: 'retry' },
};

/** What a lookup's answer makes of an id that was verified for `cause`. Never 'verify' again. */
export function outcomeOfLookup(cause: VerifyCause, answer: LookupAnswer): IdOutcome {
  switch (answer) {
    case 'applied':
      return { kind: 'done' };
    case 'gone':
      return { kind: 'gone' };
    case 'not_applied':
      return NOT_APPLIED[cause];
    case 'lookup_failed':
      // on resume, failing could hide a done action and retrying could act twice: decide nothing
      return cause === 'resume' ? { kind: 'unknown' } : { kind: 'failed', category: 'unverified' };
  }
}
