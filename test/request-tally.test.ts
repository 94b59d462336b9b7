/**
 * committingRequests: a commit stores the requests it took; a commit that fails gives them back, so the next
 * commit stores them and none is counted twice or lost.
 */
import { describe, expect, it } from 'vitest';
import { committingRequests, RequestTally } from '../src/http/request-tally.ts';

function tallyOf(requests: number): RequestTally {
  const tally = new RequestTally();
  for (let i = 0; i < requests; i += 1) tally.count();
  return tally;
}

describe('committingRequests', () => {
  it('hands the commit what was counted, and starts counting afresh once it commits', async () => {
    const tally = tallyOf(3);
    const stored = await committingRequests(tally, async (take) => take());
    expect(stored).toBe(3);
    tally.count();
    expect(tally.take()).toBe(1);
  });

  it('gives the count back when the commit fails after taking it, for the next commit to store', async () => {
    const tally = tallyOf(3);
    const failure = new Error('the transaction failed');
    await expect(
      committingRequests(tally, async (take) => {
        take();
        throw failure;
      }),
    ).rejects.toBe(failure);
    tally.count();
    expect(await committingRequests(tally, async (take) => take())).toBe(4);
  });

  it('gives back nothing when the commit fails before taking', async () => {
    const tally = tallyOf(2);
    await expect(committingRequests(tally, async () => Promise.reject(new Error('no connection')))).rejects.toThrow('no connection');
    expect(tally.take()).toBe(2);
  });

  it('takes 0 without a tally', async () => {
    expect(await committingRequests(undefined, async (take) => take())).toBe(0);
  });
});
