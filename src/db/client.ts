import { drizzle, type NodePgDatabase } from 'drizzle-orm/node-postgres';
import pg from 'pg';
import * as schema from './schema.ts';

export type Db = NodePgDatabase<typeof schema>;

// bigint columns (size_bytes, counts) arrive as strings by default; asset sizes fit in a double.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => Number(value));

/**
 * A pool whose connections never raise an unhandled 'error'. pg-pool listens on idle clients only; a client
 * checked out (a transaction, an advisory lock, a COPY) whose server goes away (a restart: 57P01) would emit
 * 'error' with nobody listening and crash the process. Every client gets a listener of its own when it connects.
 * The error also fails whatever query was using the connection, which reports it; `onConnectionError` is told
 * as well (the dependency's up/down state).
 */
export function createPool(databaseUrl: string, max = 10, onConnectionError: (error: Error) => void = () => undefined): pg.Pool {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, application_name: 'asset-worker' });
  pool.on('connect', (client) => client.on('error', onConnectionError));
  // an idle client's error is re-emitted by the pool after it has dropped the client
  pool.on('error', onConnectionError);
  return pool;
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
