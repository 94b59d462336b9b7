/**
 * A set of ids kept outside the JavaScript heap: every id's UTF-8 bytes in one growing buffer, and an
 * open-addressing hash table of entry numbers in a typed array.
 *
 * A sync remembers every id it has listed until the run ends. As strings in a Set, an id costs about 100 bytes
 * of live heap, and V8 keeps the heap up to twice its live size: about 200 bytes of RSS per id, so memory grew
 * with the catalog. Here an id costs its bytes plus 12 – 20 bytes of index, and the garbage collector never
 * walks it.
 */

/** What readers of a seen-id set need: a native Set<string> is one too. */
export interface IdSet {
  has(id: string): boolean;
  readonly size: number;
  [Symbol.iterator](): Iterator<string>;
}

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

export class CompactIdSet implements IdSet {
  /** the ids' bytes, back to back */
  private bytes = Buffer.allocUnsafe(1 << 16);
  private used = 0;
  /** entry i is bytes[starts[i], starts[i + 1]) */
  private starts = new Int32Array(1 << 12);
  private count = 0;
  /** slot → entry number + 1; 0 is an empty slot. Its length is a power of two, at least twice the count. */
  private slots = new Int32Array(1 << 13);
  /** where a looked-up id is encoded, so a lookup allocates nothing */
  private scratch = Buffer.allocUnsafe(256);

  constructor(ids: Iterable<string> = []) {
    this.starts[0] = 0;
    for (const id of ids) this.add(id);
  }

  get size(): number {
    return this.count;
  }

  has(id: string): boolean {
    const length = this.encode(id);
    return this.slots[this.findSlot(this.scratch, 0, length)] !== 0;
  }

  /** Adds the id; answers whether it was new. */
  add(id: string): boolean {
    // encoded straight after the stored ids: kept there if new, written over by the next id if not
    this.reserve(id.length * 3);
    const length = this.bytes.write(id, this.used, 'utf8');
    const slot = this.findSlot(this.bytes, this.used, length);
    if (this.slots[slot] !== 0) return false;
    this.used += length;
    this.count += 1;
    this.starts[this.count] = this.used;
    this.slots[slot] = this.count;
    if (this.count * 2 > this.slots.length) this.rehash(this.slots.length * 2);
    return true;
  }

  *[Symbol.iterator](): Iterator<string> {
    for (let i = 0; i < this.count; i += 1) yield this.bytes.toString('utf8', this.starts[i], this.starts[i + 1]);
  }

  /** Writes the id's UTF-8 bytes into the scratch buffer; their length. */
  private encode(id: string): number {
    // one UTF-16 unit is at most 3 UTF-8 bytes
    if (id.length * 3 > this.scratch.length) this.scratch = Buffer.allocUnsafe(id.length * 3);
    return this.scratch.write(id, 0, 'utf8');
  }

  /** The slot holding the id encoded at `source[start, start + length)`, or the empty slot where it would go (linear probing). */
  private findSlot(source: Buffer, start: number, length: number): number {
    const mask = this.slots.length - 1;
    let slot = hashBytes(source, start, start + length) & mask;
    for (;;) {
      const entry = this.slots[slot] ?? 0;
      if (entry === 0) return slot;
      const from = this.starts[entry - 1] ?? 0;
      const to = this.starts[entry] ?? 0;
      if (to - from === length && sameBytes(this.bytes, from, source, start, length)) return slot;
      slot = (slot + 1) & mask;
    }
  }

  private reserve(length: number): void {
    if (this.used + length > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.bytes.length * 2, this.used + length));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
    if (this.count + 2 > this.starts.length) {
      const grown = new Int32Array(this.starts.length * 2);
      grown.set(this.starts);
      this.starts = grown;
    }
  }

  private rehash(slotCount: number): void {
    this.slots = new Int32Array(slotCount);
    const mask = slotCount - 1;
    for (let entry = 1; entry <= this.count; entry += 1) {
      let slot = hashBytes(this.bytes, this.starts[entry - 1] ?? 0, this.starts[entry] ?? 0) & mask;
      while (this.slots[slot] !== 0) slot = (slot + 1) & mask;
      this.slots[slot] = entry;
    }
  }
}

/** Compared in a loop, not with Buffer.compare: ids are a few dozen bytes, shorter than a native call costs. */
function sameBytes(a: Buffer, aStart: number, b: Buffer, bStart: number, length: number): boolean {
  for (let i = 0; i < length; i += 1) if (a[aStart + i] !== b[bStart + i]) return false;
  return true;
}

/** 32-bit FNV-1a over a byte range. */
function hashBytes(source: Buffer, start: number, end: number): number {
  let hash = FNV_OFFSET;
  for (let i = start; i < end; i += 1) hash = Math.imul(hash ^ (source[i] ?? 0), FNV_PRIME);
  return hash >>> 0;
}
