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
