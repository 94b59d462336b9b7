import type pg from 'pg';

/** Runs `work` in one transaction on a dedicated connection; rolls back on any error and rethrows it. */
export async function withTransaction<T>(pool: pg.Pool, work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query('BEGIN');
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    try {
      await client.query('ROLLBACK');
    } catch (rollbackError) {
      // the connection is unusable: drop it from the pool; the original error is the one worth reporting
      broken = rollbackError as Error;
    }
    throw error;
  } finally {
    client.release(broken);
  }
}
