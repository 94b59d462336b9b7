import { describe, expect, it } from 'vitest';
import { deepFreeze } from '../../src/simulator/core/deep.freeze.ts';
import { bodyJson } from '../../src/simulator/core/http.io.ts';
import { SlidingWindowLimiter } from '../../src/simulator/core/sliding.window.ts';
import { SortedList } from '../../src/simulator/core/sorted.list.ts';
import { createRandom, randomUuid } from '../../src/simulator/core/seeded.random.ts';
import { decodeCursor, encodeCursor } from '../../src/simulator/mediapocket/mediapocket.cursor.ts';

describe('SortedList', () => {
  interface Item {
    key: number;
    name: string;
  }
  const byKey = (a: Item, b: Item) => a.key - b.key;

  it('keeps order through inserts and removes the very item among equal keys', () => {
    const a = { key: 1, name: 'a' };
    const b = { key: 2, name: 'b' };
    const c = { key: 2, name: 'c' };
    const d = { key: 3, name: 'd' };
    const list = new SortedList(byKey, [d, b, a]);
    list.insert(c);
    expect(list.toArray().map((item) => item.key)).toEqual([1, 2, 2, 3]);
    expect(list.remove(c)).toBe(true);
    expect(list.toArray()).toEqual([a, b, d]);
    expect(list.remove({ key: 2, name: 'b' })).toBe(false);
    expect(list.indexOf(d)).toBe(2);
    expect(list.firstAfter((item) => item.key - 1)).toBe(1);
    expect(list.slice(1, 10)).toEqual([b, d]);
  });
});

describe('SlidingWindowLimiter', () => {
  it('admits `limit` per window and frees slots as the oldest leave it', () => {
    const limiter = new SlidingWindowLimiter(3, 1000);
    expect([0, 100, 200, 300].map((t) => limiter.tryAcquire(t))).toEqual([true, true, true, false]);
    expect(limiter.tryAcquire(999)).toBe(false);
    expect(limiter.tryAcquire(1000)).toBe(true);
    expect(limiter.tryAcquire(1050)).toBe(false);
    expect(limiter.tryAcquire(1100)).toBe(true);
    expect(() => new SlidingWindowLimiter(0)).toThrow();
  });
});

describe('Media Pocket cursor', () => {
  it('round-trips a keyset position and rejects anything it did not issue', () => {
    const token = encodeCursor({ time: 1_700_000_000_000, id: 'abc_DEF-123' });
    expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(token)).toEqual({ time: 1_700_000_000_000, id: 'abc_DEF-123' });
    for (const bad of ['test', '0', Buffer.from('{"v":2,"t":1,"i":"x"}').toString('base64url'), 'a+b/c=']) {
      expect(decodeCursor(bad)).toBeUndefined();
    }
  });
});

describe('seeded random', () => {
  it('is repeatable per seed and makes v4-shaped uuids', () => {
    const a = createRandom(1);
    const b = createRandom(1);
    expect([a(), a(), a()]).toEqual([b(), b(), b()]);
    expect(randomUuid(createRandom(2))).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('bodyJson', () => {
  it('writes the same text as JSON.stringify, listed frozen assets from their cached texts', () => {
    const asset = deepFreeze({ id: 'ast_1', type: 'video', size: { width: 1, height: 2 }, note: 'tab\there "quoted" é' });
    // a sparse array: JSON.stringify writes its holes as null
    const withHole: unknown[] = new Array(3);
    withHole[0] = asset;
    withHole[2] = asset;
    const bodies: unknown[] = [
      { data: withHole },
      { data: [asset, null] },
      { data: [asset, asset], err: {}, pagination: { page: 1, page_size: 50, total: 2 } },
      { data: [], err: {} },
      { data: [asset, { id: 'not frozen' }], skipped: undefined, fn: () => 1, at: new Date(0) },
      { items: [asset], total: 1, nested: { list: [asset] } },
      [asset],
      'text',
      null,
    ];
    for (const body of bodies) expect(bodyJson(body)).toBe(JSON.stringify(body));
  });

  it('serves a replaced asset with its new text', () => {
    const before = deepFreeze({ id: 'ast_2', status: 'active' });
    expect(bodyJson({ data: [before] })).toContain('"active"');
    // the stores never change an asset in place: a change is a new frozen object
    const after = deepFreeze({ ...before, status: 'archive' });
    expect(bodyJson({ data: [after] })).toBe('{"data":[{"id":"ast_2","status":"archive"}]}');
  });
});
