import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ACTION_POLICY,
  outcomeOfAnswer,
  outcomeOfCallFailure,
  outcomeOfLookup,
  type AnswerPlace,
  type CallFailureKind,
  type IdOutcome,
  type LookupAnswer,
  type VerifyCause,
} from '../../src/domain/action-outcome.ts';

const policy = DEFAULT_ACTION_POLICY;

describe('outcomeOfAnswer', () => {
  it.each<[AnswerPlace, number, IdOutcome]>([
    ['done', 1, { kind: 'done' }],
    ['done', 3, { kind: 'done' }],
    ['gone', 1, { kind: 'gone' }],
    ['not_done', 1, { kind: 'retry' }],
    ['not_done', 2, { kind: 'retry' }],
    ['not_done', 3, { kind: 'verify', cause: 'exhausted' }],
    ['left_out', 1, { kind: 'retry' }],
    ['left_out', 2, { kind: 'retry' }],
    ['left_out', 3, { kind: 'verify', cause: 'exhausted' }],
    ['left_out', 4, { kind: 'verify', cause: 'exhausted' }],
  ])('%s after attempt %i → %j', (place, attempts, expected) => {
    expect(outcomeOfAnswer(place, attempts, policy)).toEqual(expected);
  });

  it('uses the policy it is given', () => {
    expect(outcomeOfAnswer('left_out', 3, { ...policy, maxAttempts: 4 })).toEqual({ kind: 'retry' });
  });
});

describe('outcomeOfCallFailure', () => {
  it.each<[CallFailureKind, number, number, ReturnType<typeof outcomeOfCallFailure>]>([
    ['auth', 1, 0, { each: { kind: 'failed', category: 'permission' }, consecutiveFailures: 0, stop: 'permission' }],
    ['auth', 50, 2, { each: { kind: 'failed', category: 'permission' }, consecutiveFailures: 2, stop: 'permission' }],
    ['not_found', 1, 0, { each: { kind: 'gone' }, consecutiveFailures: 0 }],
    ['not_found', 50, 0, { each: { kind: 'verify', cause: 'not_found_in_batch' }, consecutiveFailures: 0 }],
    ['permanent', 1, 1, { each: { kind: 'failed', category: 'permanent' }, consecutiveFailures: 1 }],
    ['permanent', 50, 0, { each: { kind: 'failed', category: 'permanent' }, consecutiveFailures: 0 }],
    ['retryable', 1, 0, { each: { kind: 'verify', cause: 'uncertain' }, consecutiveFailures: 1 }],
    ['rate_limited', 50, 1, { each: { kind: 'verify', cause: 'uncertain' }, consecutiveFailures: 2 }],
    ['retryable', 1, 2, { each: { kind: 'verify', cause: 'uncertain' }, consecutiveFailures: 3, stop: 'unavailable' }],
    ['rate_limited', 1, 2, { each: { kind: 'verify', cause: 'uncertain' }, consecutiveFailures: 3, stop: 'unavailable' }],
  ])('%s on a call for %i id(s) after %i failures in a row → %j', (kind, ids, before, expected) => {
    expect(outcomeOfCallFailure(kind, ids, before, policy)).toEqual(expected);
  });
});

describe('outcomeOfLookup', () => {
  it.each<[VerifyCause, LookupAnswer, IdOutcome]>([
    ['exhausted', 'applied', { kind: 'done' }],
    ['exhausted', 'gone', { kind: 'gone' }],
    ['exhausted', 'not_applied', { kind: 'failed', category: 'exhausted' }],
    ['exhausted', 'lookup_failed', { kind: 'failed', category: 'unverified' }],
    ['uncertain', 'applied', { kind: 'done' }],
    ['uncertain', 'gone', { kind: 'gone' }],
    ['uncertain', 'not_applied', { kind: 'failed', category: 'unavailable' }],
    ['uncertain', 'lookup_failed', { kind: 'failed', category: 'unverified' }],
    ['not_found_in_batch', 'applied', { kind: 'done' }],
    ['not_found_in_batch', 'gone', { kind: 'gone' }],
    ['not_found_in_batch', 'not_applied', { kind: 'failed', category: 'not_found_in_batch' }],
    ['not_found_in_batch', 'lookup_failed', { kind: 'failed', category: 'unverified' }],
    ['resume', 'applied', { kind: 'done' }],
    ['resume', 'gone', { kind: 'gone' }],
    ['resume', 'not_applied', { kind: 'retry' }],
    ['resume', 'lookup_failed', { kind: 'unknown' }],
  ])('verified for %s, lookup says %s → %j', (cause, answer, expected) => {
    expect(outcomeOfLookup(cause, answer)).toEqual(expected);
  });
});
