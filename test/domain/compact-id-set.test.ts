import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../src/util/compact-id-set.ts';

/** deterministic pseudo-random ids, some of them repeated, of varied lengths and scripts */
function* ids(count: number, seed: number): Generator<string> {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state;
  };
  const alphabets = ['abcdef0123456789', 'ÄÖÜßéè', '文字列', '🎞️🎬', '-_.:/'];
  for (let i = 0; i < count; i += 1) {
    const alphabet = alphabets[next() % alphabets.length] ?? '';
    const length = next() % 40;
    let id = `${next() % 3_000}`;
    for (let j = 0; j < length % 7; j += 1) id += [...alphabet][next() % [...alphabet].length];
    yield id;
  }
}

describe('CompactIdSet', () => {
  it('answers membership, size and iteration exactly as a Set does, through many resizes', () => {
    const compact = new CompactIdSet();
    const native = new Set<string>();
    for (const id of ids(30_000, 7)) {
      expect(compact.add(id)).toBe(!native.has(id));
      native.add(id);
    }
    expect(compact.size).toBe(native.size);
    expect([...compact]).toEqual([...native]);
    for (const id of ids(5_000, 99)) expect(compact.has(id)).toBe(native.has(id));
  });

  it('tells apart ids that share a prefix, the empty id, and ids longer than its scratch space', () => {
    const long = 'x'.repeat(5_000);
    const compact = new CompactIdSet(['asset-1', 'asset-10', '', long]);
    expect(compact.size).toBe(4);
    expect(compact.has('asset-1')).toBe(true);
    expect(compact.has('asset-10')).toBe(true);
    expect(compact.has('asset-100')).toBe(false);
    expect(compact.has('asset-')).toBe(false);
    expect(compact.has('')).toBe(true);
    expect(compact.has(long)).toBe(true);
    expect(compact.has(`${long}y`)).toBe(false);
    expect(compact.add('asset-10')).toBe(false);
    expect([...compact]).toEqual(['asset-1', 'asset-10', '', long]);
  });
});
