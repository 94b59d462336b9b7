/**
 * A reusable byte buffer that COPY lines are written into. A batch's COPY data is a few megabytes; built as one
 * joined string and then converted to bytes, every batch took fresh memory twice, and fresh memory is paid for
 * page by page (a fault each). This buffer grows to the largest batch once and is reused for the next.
 */
const INITIAL_BYTES = 1 << 20;

export class CopyDataBuffer {
  private bytes = Buffer.allocUnsafe(INITIAL_BYTES);
  private used = 0;

  /** bytes appended since the last reset */
  get length(): number {
    return this.used;
  }

  /** Appends one line (or any text) as UTF-8. */
  append(text: string): void {
    // one UTF-16 unit is at most 3 UTF-8 bytes, so this much room always takes the whole text
    this.makeRoom(text.length * 3);
    this.used += this.bytes.write(text, this.used, 'utf8');
  }

  /** Appends bytes `start` to `end` of another buffer's appended bytes. */
  appendFrom(source: CopyDataBuffer, start: number, end: number): void {
    this.makeRoom(end - start);
    this.used += source.bytes.copy(this.bytes, this.used, start, end);
  }

  /** The bytes appended since the last reset. Valid until the next append or reset. */
  view(): Buffer {
    return this.bytes.subarray(0, this.used);
  }

  private makeRoom(bytes: number): void {
    const room = this.used + bytes;
    if (room > this.bytes.length) {
      const grown = Buffer.allocUnsafe(Math.max(room, this.bytes.length * 2));
      this.bytes.copy(grown, 0, 0, this.used);
      this.bytes = grown;
    }
  }

  reset(): void {
    this.used = 0;
  }
}
