/**
 * One runner per chunk across every process. A chunk's job can run twice at once: its lock in Redis lapses
 * while Redis is unreachable (the job stalls and another worker takes it), or the sweep enqueues it again after
 * Redis came back empty while the first runner is still going. Two runners would each send the same items.
 * A Postgres advisory lock on a dedicated connection decides; a runner that dies loses its connection and the lock.
 */
import type pg from 'pg';

export interface ChunkLock {
  release(): Promise<void>;
}

/** The lock, or undefined when another runner holds it. */
export async function tryLockChunk(pool: pg.Pool, operationId: number, chunk: number): Promise<ChunkLock | undefined> {
  const client = await pool.connect();
  // a 64-bit key of its own, apart from the two-key provider locks
  const key = `bulk-chunk:${operationId}:${chunk}`;
  try {
    const tried = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked', [key]);
    if (tried.rows[0]?.locked !== true) {
      client.release();
      return undefined;
    }
  } catch (error) {
    client.release(error as Error);
    throw error;
  }
  return {
    async release() {
      try {
        await client.query('SELECT pg_advisory_unlock(hashtextextended($1, 0))', [key]);
        client.release();
      } catch (error) {
        // a broken connection has dropped the lock already; discard it
        client.release(error as Error);
      }
    },
  };
}
