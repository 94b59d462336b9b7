/**
 * Strings in the order of their UTF-8 bytes: PostgreSQL's COLLATE "C" order for UTF-8 text. JavaScript's `<`
 * compares UTF-16 units, which agrees with it except where a character above U+FFFF (a surrogate pair, units
 * D800–DFFF) meets one in U+E000–U+FFFF: as units the pair sorts first, as bytes (and code points) it sorts last.
 */
function isSurrogate(unit: number): boolean {
  return unit >= 0xd800 && unit <= 0xdfff;
}

export function compareUtf8Order(a: string, b: string): number {
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i += 1) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    const xPair = isSurrogate(x);
    if (xPair !== isSurrogate(y)) return xPair ? 1 : -1;
    return x - y;
  }
  return a.length - b.length;
}
