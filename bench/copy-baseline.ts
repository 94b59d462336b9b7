/**
 * The ceiling to compare against: a raw COPY of the same rows into an empty table of the same shape (same
 * indexes), on the same server right after the sync it is compared with. One COPY can land on a checkpoint, so
 * the bench takes the median over its runs.
 */
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

export async function timeRawCopy(pool: pg.Pool, provider: string): Promise<{ rows: number; seconds: number }> {
  const client = await pool.connect();
  try {
    const chunks: Buffer[] = [];
    await pipeline(
      client.query(copyStreams.to(`COPY (SELECT * FROM assets WHERE provider = '${provider}') TO STDOUT`)),
      new Writable({
        write(chunk: Buffer, _encoding, done) {
          chunks.push(chunk);
          done();
        },
      }),
    );
    await client.query('DROP TABLE IF EXISTS bench_copy');
    await client.query('CREATE TABLE bench_copy (LIKE assets INCLUDING DEFAULTS INCLUDING INDEXES)');
    const started = performance.now();
    await pipeline(Readable.from(chunks), client.query(copyStreams.from('COPY bench_copy FROM STDIN')));
    const seconds = (performance.now() - started) / 1000;
    const count = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_copy');
    await client.query('DROP TABLE bench_copy');
    return { rows: count.rows[0]?.n ?? 0, seconds };
  } finally {
    client.release();
  }
}
