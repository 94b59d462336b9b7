import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;

// bigint columns (size_bytes, counts) arrive as strings by default; asset sizes fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

export function createPool(databaseUrl: string, max = 10): pg.Pool {
  return new pg.Pool({ connectionString: databaseUrl, max, application_name: 'asset-worker' });
}

/** Over a pool, or over one checked-out connection inside a transaction. */
export function createDb(pool: pg.Pool | pg.PoolClient): Db {
  return drizzle(pool, { schema });
}

/**
 * Ends the pool and waits until every connection has closed. `pool.end()` alone resolves once the clients are
 * told to end, while their sockets may still be open: a server that terminates them in that window (a dropped
 * database, a shutdown) would raise an error on a pool that is no longer listening.
 */
export async function closePool(pool: pg.Pool): Promise<void> {
  let open = pool.totalCount;
  const allClosed = new Promise<void>((resolve) => {
    if (open === 0) resolve();
    pool.on('remove', () => {
      open -= 1;
      if (open === 0) resolve();
    });
  });
  await pool.end();
  await allClosed;
}
