import { describe, expect, it } from 'vitest';
import { compareUtf8Order } from '../../src/domain/utf8-order.ts';

const byBytes = (a: string, b: string) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
const sign = (n: number) => Math.sign(n);

describe('compareUtf8Order', () => {
  it('puts a character above U+FFFF after one in U+E000–U+FFFF, as UTF-8 bytes (and COLLATE "C") do', () => {
    const fullwidthA = 'ast_\uFF21';
    const mathScriptA = 'ast_\u{1D49C}';
    // UTF-16 units order them the other way round
    expect(mathScriptA < fullwidthA).toBe(true);
    expect(compareUtf8Order(fullwidthA, mathScriptA)).toBeLessThan(0);
    expect(compareUtf8Order(mathScriptA, fullwidthA)).toBeGreaterThan(0);
  });

  it('agrees with a byte comparison of the UTF-8 encodings on mixed ids', () => {
    // characters from every range that matters: ASCII, Latin-1, BMP below and above the surrogates, astral
    const alphabet = ['a', 'Z', '_', '0', 'é', 'ÿ', 'Ω', '中', '\uD7FF', '\uE000', '\uFF21', '\uFFFD', '\u{10000}', '\u{1D49C}', '\u{1F600}'];
    let seed = 7;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ids = Array.from({ length: 400 }, () =>
      Array.from({ length: 1 + Math.floor(random() * 5) }, () => alphabet[Math.floor(random() * alphabet.length)]).join(''),
    );
    for (const a of ids.slice(0, 80)) {
      for (const b of ids) expect(sign(compareUtf8Order(a, b))).toBe(sign(byBytes(a, b)));
    }
    expect([...ids].sort(compareUtf8Order)).toEqual([...ids].sort(byBytes));
  });

  it('orders a prefix before the longer id and equal ids as equal', () => {
    expect(compareUtf8Order('ast_1', 'ast_10')).toBeLessThan(0);
    expect(compareUtf8Order('ast_é', 'ast_é')).toBe(0);
  });
});
