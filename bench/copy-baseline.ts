/**
 * The ceiling to compare against: a raw COPY of the same rows into an empty table of the same shape (same
 * indexes). Timed several times, because one COPY can land on a checkpoint or on autovacuum; the median counts.
 */
import { pipeline } from 'node:stream/promises';
import { Readable, Writable } from 'node:stream';
import type pg from 'pg';
import copyStreams from 'pg-copy-streams';

export async function timeRawCopy(pool: pg.Pool, provider: string, repeats = 3): Promise<{ rows: number; seconds: number; all: number[] }> {
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
    const all: number[] = [];
    let rows = 0;
    for (let i = 0; i < repeats; i += 1) {
      await client.query('DROP TABLE IF EXISTS bench_copy');
      await client.query('CREATE TABLE bench_copy (LIKE assets INCLUDING DEFAULTS INCLUDING INDEXES)');
      const started = performance.now();
      await pipeline(Readable.from(chunks), client.query(copyStreams.from('COPY bench_copy FROM STDIN')));
      all.push((performance.now() - started) / 1000);
      const count = await client.query<{ n: number }>('SELECT count(*)::int AS n FROM bench_copy');
      rows = count.rows[0]?.n ?? 0;
      await client.query('DROP TABLE bench_copy');
    }
    const sorted = [...all].sort((a, b) => a - b);
    return { rows, seconds: sorted[Math.floor(sorted.length / 2)] ?? 0, all };
  } finally {
    client.release();
  }
}
