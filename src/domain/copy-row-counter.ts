/**
 * Counts the rows of COPY … TO CSV output as it streams by, chunk by chunk, for a progress display: a row ends at
 * a line feed outside quotes. Postgres doubles a quote inside a quoted field, so toggling on every quote byte
 * keeps the state right across `""`, and a chunk may end anywhere, even between the two.
 */
const LINE_FEED = 0x0a;

export class CopyRowCounter {
  private inQuotes = false;
  private lines = 0;

  /** `quote`: the COPY's QUOTE byte ('"' by default) */
  constructor(private readonly quote: number) {}

  /** line feeds seen outside quotes so far: rows, plus the header line if the COPY wrote one */
  get count(): number {
    return this.lines;
  }

  add(chunk: Uint8Array): void {
    let at = 0;
    while (at < chunk.length) {
      if (this.inQuotes) {
        const closing = chunk.indexOf(this.quote, at);
        if (closing < 0) return;
        this.inQuotes = false;
        at = closing + 1;
        continue;
      }
      const quote = chunk.indexOf(this.quote, at);
      const end = quote < 0 ? chunk.length : quote;
      let lineFeed = chunk.indexOf(LINE_FEED, at);
      while (lineFeed >= 0 && lineFeed < end) {
        this.lines += 1;
        lineFeed = chunk.indexOf(LINE_FEED, lineFeed + 1);
      }
      if (quote < 0) return;
      this.inQuotes = true;
      at = quote + 1;
    }
  }
}
