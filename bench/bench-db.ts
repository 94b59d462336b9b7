import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { closePool, createPool } from '../src/db/client.ts';
import { dropDatabase, migrateDatabase } from '../src/db/migrate.ts';

export interface BenchDb {
  url: string;
  pool: pg.Pool;
  drop(): Promise<void>;
}

export async function createBenchDb(serverUrl: string): Promise<BenchDb> {
  const url = new URL(serverUrl);
  const name = `alw_bench_${randomBytes(4).toString('hex')}`;
  url.pathname = `/${name}`;
  await migrateDatabase(url.toString());
  const pool = createPool(url.toString(), 8);
  return {
    url: url.toString(),
    pool,
    async drop() {
      await closePool(pool);
      await dropDatabase(url.toString());
    },
  };
}

/** Rows updated in a table per Postgres's own statistics (flushed first, so the figure is current). */
export async function tupleUpdates(pool: pg.Pool, table: string): Promise<number> {
  // statistics are flushed by each backend at most once a second; wait for it, then read a fresh snapshot
  await new Promise((resolve) => setTimeout(resolve, 1_100));
  const client = await pool.connect();
  try {
    await client.query('SELECT pg_stat_clear_snapshot()');
    const result = await client.query<{ n: string }>('SELECT n_tup_upd AS n FROM pg_stat_user_tables WHERE relname = $1', [table]);
    return Number(result.rows[0]?.n ?? 0);
  } finally {
    client.release();
  }
}
