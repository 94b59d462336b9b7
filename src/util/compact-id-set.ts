/**
 * A set of ids kept outside the JavaScript heap: each id encoded into fixed-size byte chunks that are never
 * copied or freed while the set lives, and an open-addressing hash table of the entries' positions.
 *
 * A sync remembers every id it has listed until the run ends. As strings in a Set, an id costs about 100 bytes
 * of live heap, and V8 keeps the heap up to twice its live size: about 200 bytes of RSS per id. Here a 24-character
 * id costs 19 bytes plus 8 – 16 bytes of table (4-byte slots, at most half full), and the garbage
 * collector never walks it. Chunks, not one doubling buffer, so growing never holds an old and a new copy of the
 * ids at once nor leaves freed blocks behind.
 *
 * Every id has exactly one encoding and decodes back to itself, so two ids are equal exactly when their
 * encodings are: nothing here is probabilistic. The encodings (the first byte says which, and how long):
 * - 0 – 127: that many characters, all from [0-9A-Za-z_-], packed 6 bits each (a 24-character id in 18 bytes);
 * - 128: a lowercase canonical UUID as its 16 bytes;
 * - 129 – 253: UTF-8 of 0 – 124 bytes; 254: UTF-8, its byte length in a varint;
 * - 255: UTF-16 code units, their count in a varint: a string with a lone surrogate, which UTF-8 cannot carry.
 * No encoding is a prefix of another, so comparing an id's bytes with an entry's needs no separate length.
 */

/** What readers of a seen-id set need: a native Set<string> is one too. */
export interface IdSet {
  has(id: string): boolean;
  readonly size: number;
  [Symbol.iterator](): Iterator<string>;
}

const PACKED_MAX_LENGTH = 127;
const UUID = 128;
const UTF8_SHORT = 129;
const UTF8_SHORT_MAX = 124;
const UTF8_LONG = 254;
const UTF16 = 255;

const PACK_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-';
/** character code → its 6-bit value, or -1 */
const PACK_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < PACK_ALPHABET.length; i += 1) PACK_VALUE[PACK_ALPHABET.charCodeAt(i)] = i;
/** character code → hex digit value for lowercase hex, or -1 */
const HEX_VALUE = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i += 1) HEX_VALUE['0123456789abcdef'.charCodeAt(i)] = i;

/** a position is chunk number × CHUNK_SIZE + offset; the table holds position + 1 (0 is an empty slot) in 32 bits */
const CHUNK_BITS = 20;
const CHUNK_SIZE = 1 << CHUNK_BITS;
const MAX_CHUNKS = 4095;
/** the first chunks are smaller, so a small set stays small */
const FIRST_CHUNK_SIZE = 1 << 14;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class CompactIdSet implements IdSet {
  private readonly chunks: Uint8Array[] = [];
  /** bytes used in each chunk */
  private readonly chunkUsed: number[] = [];
  private count = 0;
  /** slot → entry position + 1; 0 is an empty slot. Its length is a power of two, at least twice the count. */
  private slots = new Uint32Array(1 << 10);
  /** where an id is encoded before it is looked up or stored */
  private scratch = Buffer.allocUnsafe(256);

  constructor(ids: Iterable<string> = []) {
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    const length = this.encode(id);
    return this.slots[this.findSlot(length)] !== 0;
  }

  /** Adds the id; answers whether it was new. */
  add(id: string): boolean {
    const length = this.encode(id);
    const slot = this.findSlot(length);
    if (this.slots[slot] !== 0) return false;
    this.slots[slot] = this.store(length) + 1;
    this.count += 1;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return true;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let c = 0; c < this.chunks.length; c += 1) {
      const chunk = this.chunks[c] as Uint8Array;
      const used = this.chunkUsed[c] as number;
      for (let at = 0; at < used; at = entryEnd(chunk, at)) yield decode(chunk, at);
    }
  }

  /** Encodes the id into the scratch buffer; the encoding's length. */
  private encode(id: string): number {
    const length = id.length;
    // worst case: UTF-16 with its header and a 5-byte varint
    if (length * 3 + 6 > this.scratch.length) this.scratch = Buffer.allocUnsafe(length * 3 + 6);
    const out = this.scratch;
    if (length === 36 && encodeUuid(id, out)) return 17;
    if (length <= PACKED_MAX_LENGTH) {
      const packed = encodePacked(id, out);
      if (packed > 0) return packed;
    }
    if (!isWellFormed(id)) {
      let at = writeVarint(out, 1, length);
      out[0] = UTF16;
      for (let i = 0; i < length; i += 1) {
        const unit = id.charCodeAt(i);
        out[at] = unit >>> 8;
        out[at + 1] = unit & 0xff;
        at += 2;
      }
      return at;
    }
    // written after room for the longest varint, then moved up behind a shorter header
    const bytes = out.write(id, 6, 'utf8');
    if (bytes <= UTF8_SHORT_MAX) {
      out[0] = UTF8_SHORT + bytes;
      out.copyWithin(1, 6, 6 + bytes);
      return 1 + bytes;
    }
    out[0] = UTF8_LONG;
    const start = writeVarint(out, 1, bytes);
    out.copyWithin(start, 6, 6 + bytes);
    return start + bytes;
  }

  /** The slot holding the id encoded in the scratch buffer, or the empty slot where it would go (linear probing). */
  private findSlot(length: number): number {
    const scratch = this.scratch;
    const mask = this.slots.length - 1;
    let slot = hashBytes(scratch, 0, length) & mask;
    for (;;) {
      const entry = this.slots[slot] as number;
      if (entry === 0) return slot;
      const position = entry - 1;
      const chunk = this.chunks[position >>> CHUNK_BITS] as Uint8Array;
      if (startsWith(chunk, position & (CHUNK_SIZE - 1), scratch, length)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  /** Copies the scratch encoding into the last chunk (a new one when it does not fit); its position. */
  private store(length: number): number {
    let c = this.chunks.length - 1;
    if (c < 0 || (this.chunkUsed[c] as number) + length > (this.chunks[c] as Uint8Array).length) {
      if (this.chunks.length >= MAX_CHUNKS) throw new Error('CompactIdSet: more ids than 4 GB of chunks can hold');
      const size = Math.min(CHUNK_SIZE, FIRST_CHUNK_SIZE * 2 ** Math.min(this.chunks.length, CHUNK_BITS));
      // an id longer than a chunk gets one of its own, exactly its size: nothing else is stored after it
      this.chunks.push(new Uint8Array(Math.max(size, length)));
      this.chunkUsed.push(0);
      c += 1;
    }
    const chunk = this.chunks[c] as Uint8Array;
    const offset = this.chunkUsed[c] as number;
    const scratch = this.scratch;
    for (let i = 0; i < length; i += 1) chunk[offset + i] = scratch[i] as number;
    this.chunkUsed[c] = offset + length;
    return c * CHUNK_SIZE + offset;
  }

  private rehash(slotCount: number): void {
    const slots = new Uint32Array(slotCount);
    const mask = slotCount - 1;
    for (let c = 0; c < this.chunks.length; c += 1) {
      const chunk = this.chunks[c] as Uint8Array;
      const used = this.chunkUsed[c] as number;
      for (let at = 0; at < used; ) {
        const end = entryEnd(chunk, at);
        let slot = hashBytes(chunk, at, end - at) & mask;
        while (slots[slot] !== 0) slot = (slot + 1) & mask;
        slots[slot] = c * CHUNK_SIZE + at + 1;
        at = end;
      }
    }
    this.slots = slots;
  }
}

/** Writes a lowercase canonical UUID's 16 bytes after its header; false (nothing meaningful written) if it is not one. */
function encodeUuid(id: string, out: Uint8Array): boolean {
  if (id.charCodeAt(8) !== 45 || id.charCodeAt(13) !== 45 || id.charCodeAt(18) !== 45 || id.charCodeAt(23) !== 45) return false;
  let at = 1;
  let high = -1;
  for (let i = 0; i < 36; i += 1) {
    if (i === 8 || i === 13 || i === 18 || i === 23) continue;
    const code = id.charCodeAt(i);
    const value = code < 128 ? (HEX_VALUE[code] as number) : -1;
    if (value < 0) return false;
    if (high < 0) high = value;
    else {
      out[at] = (high << 4) | value;
      at += 1;
      high = -1;
    }
  }
  out[0] = UUID;
  return true;
}

/** Packs an id of [0-9A-Za-z_-] at 6 bits a character after its header; the encoding's length, or 0 if it has another character. */
function encodePacked(id: string, out: Uint8Array): number {
  let at = 1;
  let bits = 0;
  let pending = 0;
  for (let i = 0; i < id.length; i += 1) {
    const code = id.charCodeAt(i);
    const value = code < 128 ? (PACK_VALUE[code] as number) : -1;
    if (value < 0) return 0;
    pending = (pending << 6) | value;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[at] = pending >>> bits;
      at += 1;
      pending &= (1 << bits) - 1;
    }
  }
  if (bits > 0) {
    out[at] = pending << (8 - bits);
    at += 1;
  }
  out[0] = id.length;
  return at;
}

/** Whether every surrogate in the string is part of a pair (String.prototype.isWellFormed, which ES2023 lacks). */
function isWellFormed(id: string): boolean {
  for (let i = 0; i < id.length; i += 1) {
    const unit = id.charCodeAt(i);
    if (unit < 0xd800 || unit > 0xdfff) continue;
    if (unit >= 0xdc00) return false;
    const next = id.charCodeAt(i + 1);
    if (!(next >= 0xdc00 && next <= 0xdfff)) return false;
    i += 1;
  }
  return true;
}

function writeVarint(out: Uint8Array, at: number, value: number): number {
  let rest = value;
  while (rest >= 0x80) {
    out[at] = (rest & 0x7f) | 0x80;
    at += 1;
    rest = Math.floor(rest / 0x80);
  }
  out[at] = rest;
  return at + 1;
}

/** The varint at `at`: its value and where it ends. */
function readVarint(source: Uint8Array, at: number): { value: number; end: number } {
  let value = 0;
  let scale = 1;
  let byte: number;
  do {
    byte = source[at] as number;
    value += (byte & 0x7f) * scale;
    scale *= 0x80;
    at += 1;
  } while (byte >= 0x80);
  return { value, end: at };
}

/** Where the entry starting at `at` ends. */
function entryEnd(chunk: Uint8Array, at: number): number {
  const header = chunk[at] as number;
  if (header <= PACKED_MAX_LENGTH) return at + 1 + Math.ceil((header * 6) / 8);
  if (header === UUID) return at + 17;
  if (header < UTF8_LONG) return at + 1 + header - UTF8_SHORT;
  const { value, end } = readVarint(chunk, at + 1);
  return end + (header === UTF16 ? value * 2 : value);
}

function decode(chunk: Uint8Array, at: number): string {
  const header = chunk[at] as number;
  if (header <= PACKED_MAX_LENGTH) {
    const codes = new Array<number>(header);
    let byteAt = at + 1;
    let bits = 0;
    let pending = 0;
    for (let i = 0; i < header; i += 1) {
      if (bits < 6) {
        pending = ((pending << 8) | (chunk[byteAt] as number)) & 0xffff;
        byteAt += 1;
        bits += 8;
      }
      bits -= 6;
      codes[i] = PACK_ALPHABET.charCodeAt((pending >>> bits) & 0x3f);
    }
    return String.fromCharCode(...codes);
  }
  if (header === UUID) {
    const hex = Buffer.from(chunk.buffer, chunk.byteOffset + at + 1, 16).toString('hex');
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  }
  if (header < UTF8_LONG) return Buffer.from(chunk.buffer, chunk.byteOffset + at + 1, header - UTF8_SHORT).toString('utf8');
  const { value, end } = readVarint(chunk, at + 1);
  if (header === UTF8_LONG) return Buffer.from(chunk.buffer, chunk.byteOffset + end, value).toString('utf8');
  let text = '';
  for (let i = 0; i < value; i += 1) text += String.fromCharCode(((chunk[end + 2 * i] as number) << 8) | (chunk[end + 2 * i + 1] as number));
  return text;
}

/**
 * Whether the entry at `chunk[at…]` is the encoding `id[0, length)`. Encodings are prefix-free, so equal
 * first `length` bytes mean the same id; past the chunk's end a read gives undefined, which equals no byte.
 * Compared in a loop, not with Buffer.compare: ids are a few dozen bytes, shorter than a native call costs.
 */
function startsWith(chunk: Uint8Array, at: number, id: Uint8Array, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (chunk[at + i] !== id[i]) return false;
  return true;
}

/** 32-bit FNV-1a over `length` bytes from `start`. */
function hashBytes(source: Uint8Array, start: number, length: number): number {
  let hash = FNV_OFFSET;
  const end = start + length;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ (source[i] as number), FNV_PRIME);
  return hash >>> 0;
}
