/**
 * A file that appears under its name complete or not at all: written under a temporary name in the same
 * directory (so the rename stays on one file system and is atomic), flushed to disk, then renamed over the name.
 */
import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { finished, type Writable } from 'node:stream';
import { once } from 'node:events';

export interface AtomicFile {
  /** the final name */
  path: string;
  /** where the bytes go; end it (a pipeline does) before `commit` */
  stream: Writable;
  /** flushes the written file to disk and renames it to its final name */
  commit(): Promise<void>;
  /** stops the stream and deletes the temporary file; the final name is left as it was */
  discard(): Promise<void>;
}

/** Until the stream has closed its descriptor, however it ended (an error included). */
const closed = (stream: Writable) => new Promise<void>((resolve) => finished(stream, () => (stream.closed ? resolve() : stream.once('close', () => resolve()))));

/** Creates the temporary file; fails as `open` does (a missing directory, no permission) before anything is written. */
export async function createAtomicFile(path: string): Promise<AtomicFile> {
  const temporaryPath = join(dirname(path), `.${basename(path)}.${process.pid}-${randomBytes(4).toString('hex')}.tmp`);
  const stream = createWriteStream(temporaryPath, { flags: 'wx' });
  // rejects with the open's error
  await once(stream, 'open');
  return {
    path,
    stream,
    async commit() {
      await closed(stream);
      // a write stream cannot fsync before it closes (Node 20); a second descriptor flushes the same file
      const handle = await open(temporaryPath, 'r+');
      try {
        await handle.sync();
      } finally {
        await handle.close();
      }
      await rename(temporaryPath, path);
    },
    async discard() {
      stream.destroy();
      await closed(stream);
      await rm(temporaryPath, { force: true });
    },
  };
}
