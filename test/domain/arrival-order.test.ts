import { describe, expect, it } from 'vitest';
import { inArrivalOrder } from '../../src/util/arrival-order.ts';

/** A call per key whose answer the test releases by hand, in any order. */
function controlledCalls<K>() {
  const started: K[] = [];
  const pending = new Map<K, { resolve: (value: string) => void; reject: (error: Error) => void }>();
  let running = 0;
  let maxRunning = 0;
  const fetch = (key: K) =>
    new Promise<string>((resolve, reject) => {
      started.push(key);
      running += 1;
      maxRunning = Math.max(maxRunning, running);
      const done = () => {
        running -= 1;
        pending.delete(key);
      };
      pending.set(key, {
        resolve: (value) => {
          done();
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      });
    });
  const answer = (key: K, value = `page ${String(key)}`) => pending.get(key)?.resolve(value);
  const fail = (key: K, error: Error) => pending.get(key)?.reject(error);
  return { fetch, started, answer, fail, maxRunning: () => maxRunning };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('inArrivalOrder', () => {
  it('yields results in the order they arrive, with at most `concurrency` calls out', async () => {
    const calls = controlledCalls<number>();
    const results = inArrivalOrder([1, 2, 3, 4, 5], 2, calls.fetch);
    const first = results.next();
    await tick();
    expect(calls.started).toEqual([1, 2]);
    calls.answer(2);
    expect(await first).toEqual({ done: false, value: 'page 2' });
    // handing over page 2 started the next call
    expect(calls.started).toEqual([1, 2, 3]);
    const second = results.next();
    calls.answer(3);
    calls.answer(1);
    expect((await second).value).toBe('page 3');
    expect((await results.next()).value).toBe('page 1');
    const fourth = results.next();
    await tick();
    calls.answer(5);
    calls.answer(4);
    expect((await fourth).value).toBe('page 5');
    expect((await results.next()).value).toBe('page 4');
    expect((await results.next()).done).toBe(true);
    expect(calls.maxRunning()).toBe(2);
  });

  it('ends with the first failure, and the calls still out fail unobserved', async () => {
    const calls = controlledCalls<number>();
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const results = inArrivalOrder([1, 2, 3], 3, calls.fetch);
      const first = results.next();
      await tick();
      calls.fail(2, new Error('page 2 failed'));
      await expect(first).rejects.toThrow('page 2 failed');
      calls.fail(1, new Error('page 1 failed too'));
      calls.answer(3);
      await tick();
      expect((await results.next()).done).toBe(true);
      expect(calls.started).toEqual([1, 2, 3]);
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
  });

  it('starts no call once the consumer stops taking results', async () => {
    const calls = controlledCalls<number>();
    const results = inArrivalOrder([1, 2, 3, 4], 2, calls.fetch);
    const first = results.next();
    await tick();
    calls.answer(1);
    expect((await first).value).toBe('page 1');
    await results.return(undefined);
    // when it stopped, 1 was taken, 2 was out and 3 had started on handing over 1; 4 must never start
    calls.answer(2);
    calls.answer(3);
    await tick();
    expect(calls.started).toEqual([1, 2, 3]);
  });

  it('treats a call that throws instead of rejecting as a failure', async () => {
    const results = inArrivalOrder([1], 1, () => {
      throw new Error('thrown');
    });
    await expect(results.next()).rejects.toThrow('thrown');
  });
});
