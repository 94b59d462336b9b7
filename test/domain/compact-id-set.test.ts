import { describe, expect, it } from 'vitest';
import { CompactIdSet } from '../../src/util/compact-id-set.ts';

/** deterministic pseudo-random ids, some of them repeated, of varied lengths and scripts */
function* ids(count: number, seed: number): Generator<string> {
  let state = seed;
  const next = () => {
    state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
    return state;
  };
  const alphabets = ['abcdef0123456789', 'ÄÖÜßéè', '文字列', '🎞️🎬', '-_.:/', 'ABCXYZabcxyz_-'];
  for (let i = 0; i < count; i += 1) {
    const alphabet = [...(alphabets[next() % alphabets.length] ?? '')];
    const length = next() % 40;
    let id = `${next() % 3_000}`;
    for (let j = 0; j < length % 7; j += 1) id += alphabet[next() % alphabet.length];
    yield id;
  }
}

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const uuid = 'f47ac10b-58cc-4372-a567-0e02b2c3d479';

/**
 * Ids chosen to sit on each encoding's edges, and neighbours that differ from them in one way only.
 * Every group is added to one set; each id must be found, and none confused with another.
 */
const edgeCases: Array<[string, string[]]> = [
  ['the empty id and one character', ['', 'a', '-', '_', '0', '.', 'é']],
  ['ids that share a prefix', ['asset-1', 'asset-10', 'asset-100', 'asset-', 'asset']],
  ['6-bit packing at every length modulo 4', ['ast_A', 'ast_AB', 'ast_ABC', 'ast_ABCD', 'ast_ABCDE', 'ast_ABCDEF']],
  ['packed ids whose last bits are zero, and their padded neighbours', ['0', '00', '000', '0000', 'A', 'A0', 'A00']],
  ['the longest packed id, and one character more (UTF-8)', ['x'.repeat(127), 'x'.repeat(128), 'x'.repeat(126)]],
  ['a lowercase UUID (binary), its uppercase form and near misses (packed or UTF-8)', [
    uuid,
    uuid.toUpperCase(),
    uuid.replaceAll('-', ''),
    `${uuid.slice(0, 35)}g`,
    `${uuid.slice(0, 8)}x${uuid.slice(9)}`,
    `${uuid.slice(0, 35)}é`,
    `${uuid}0`,
  ]],
  ['non-ASCII ids around the short UTF-8 limit of 124 bytes', ['é'.repeat(61), 'é'.repeat(62), 'é'.repeat(63), `${'é'.repeat(62)}a`]],
  ['ids above U+FFFF', ['🎞', '🎬🎬', 'a😀b', '𠀀', '\u{10FFFF}']],
  ['lone surrogates, kept apart from U+FFFD, which UTF-8 would turn them into', ['\uD800', '\uDC00', '\uFFFD', 'a\uD83Db', 'a\uFFFDb', '\uDE00\uD83D', '\uD83D\uDE00']],
  ['long ids: a varint length, and one longer than a chunk', ['y'.repeat(5_000), `${'y'.repeat(5_000)}é`, 'é'.repeat(70_000), 'z'.repeat(1_500_000)]],
  ['control characters and a NUL', ['\u0000', 'a\u0000', '\n', 'a\tb']],
];

describe('CompactIdSet', () => {
  it.each(edgeCases)('%s: each is found, added once, and read back as itself', (_name, group) => {
    const compact = new CompactIdSet();
    for (const id of group) expect(compact.add(id)).toBe(true);
    for (const id of group) expect(compact.add(id)).toBe(false);
    expect(compact.size).toBe(group.length);
    for (const id of group) expect(compact.has(id)).toBe(true);
    expect([...compact]).toEqual(group);
  });

  it('keeps every edge case apart from every other in one set', () => {
    const all = [...new Set(edgeCases.flatMap(([, group]) => group))];
    const compact = new CompactIdSet(all);
    expect(compact.size).toBe(all.length);
    expect([...compact]).toEqual(all);
    for (const probe of ['b', 'asset-1000', 'x'.repeat(129), '\uD801', `${uuid.slice(0, 35)}8`, 'y'.repeat(4_999)]) {
      expect(compact.has(probe)).toBe(false);
    }
  });

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

  it('grows across many chunks and table sizes with ids of the listing shapes, each added once', () => {
    let state = 11;
    const next = () => {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      return state;
    };
    const shaped = (i: number) => {
      if (i % 3 === 1) return `${(next() >>> 0).toString(16).padStart(8, '0')}-58cc-4372-a567-${i.toString(16).padStart(12, '0')}`;
      let id = i % 3 === 0 ? 'ast_' : '';
      for (let j = 0; j < 20; j += 1) id += BASE62[next() % 62];
      return id;
    };
    const added: string[] = [];
    const compact = new CompactIdSet();
    // about 3 MB of entries: past the growing first chunks and into several full ones
    let refused = 0;
    for (let i = 0; i < 150_000; i += 1) {
      const id = shaped(i);
      added.push(id);
      if (!compact.add(id)) refused += 1;
    }
    expect(refused).toBe(0);
    let accepted = 0;
    for (let i = 0; i < added.length; i += 7) if (compact.add(added[i] as string)) accepted += 1;
    expect(accepted).toBe(0);
    expect(compact.size).toBe(added.length);
    expect([...compact]).toEqual(added);
    expect(compact.has(`${added[0]}x`)).toBe(false);
  });
});
