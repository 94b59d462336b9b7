/**
 * Deterministic pseudo-random numbers. Data generation and fault injection each get their own stream (derived
 * from the seed and a label), so turning faults on or adding assets to one provider never changes what another
 * stream produces.
 */

/** A uniform number in [0, 1). */
export type Random = () => number;

/** mulberry32: tiny, fast and good enough for test data; not for anything secret. */
export function createRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Mixes a label into a seed (FNV-1a), so that each purpose has an independent stream. */
export function deriveSeed(seed: number, label: string): number {
  let hash = (0x811c9dc5 ^ (seed >>> 0)) >>> 0;
  for (let i = 0; i < label.length; i += 1) {
    hash ^= label.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

export function intBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random() * (max - min + 1));
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Picks by relative weight: `[['active', 80], ['archive', 5]]`. */
export function pickWeighted<T>(random: Random, table: ReadonlyArray<readonly [T, number]>): T {
  let total = 0;
  for (const [, weight] of table) total += weight;
  let roll = random() * total;
  for (const [value, weight] of table) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = table[table.length - 1];
  if (last === undefined) throw new Error('pick from an empty table');
  return last[0];
}

/** Up to `max` distinct items, each included with probability `chance`, in the list's order. */
export function pickSome<T>(random: Random, items: readonly T[], chance: number, max: number): T[] {
  const chosen: T[] = [];
  for (const item of items) {
    if (chosen.length >= max) break;
    if (random() < chance) chosen.push(item);
  }
  return chosen;
}

const codes: number[] = [];

export function randomString(random: Random, alphabet: string, length: number): string {
  // One string built from char codes: concatenating a character at a time churns the GC at 100,000 ids.
  codes.length = length;
  for (let i = 0; i < length; i += 1) codes[i] = alphabet.charCodeAt(Math.floor(random() * alphabet.length));
  return String.fromCharCode(...codes);
}

export const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const HEX = '0123456789abcdef';

export function randomHex(random: Random, length: number): string {
  return randomString(random, HEX, length);
}

/** A version-4 shaped UUID drawn from the seeded stream (crypto.randomUUID would break determinism). */
export function randomUuid(random: Random): string {
  const hex = randomHex(random, 32);
  const variant = HEX.charAt(8 + Math.floor(random() * 4));
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-${variant}${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** A time in [from, to] as an ISO string with milliseconds, like the providers send. */
export function isoBetween(random: Random, from: number, to: number): string {
  return new Date(from + Math.floor(random() * (to - from))).toISOString();
}
