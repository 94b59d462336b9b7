import { fileURLToPath } from 'node:url';
import { migrate } from 'drizzle-orm/node-postgres/migrator';
import pg from 'pg';
import { createDb, createPool } from './client.ts';
import { SQL_STATE, sqlStateOf } from './sql-state.ts';

const MIGRATIONS_FOLDER = fileURLToPath(new URL('../../drizzle', import.meta.url));
/** Any fixed number: serialises concurrent `migrate` runs (and `start`s) against one database. */
const MIGRATION_LOCK_KEY = 7_420_001;

export interface MigrateResult {
  createdDatabase: boolean;
  database: string;
  /** migrations this call applied: 0 when another process had applied them (it waited for that process) */
  applied: number;
  /** true when another process held the migration lock and this one waited for it */
  waited: boolean;
}

/** drizzle's own record of applied migrations; absent until the first one runs */
async function countApplied(client: pg.PoolClient): Promise<number> {
  const table = await client.query<{ exists: boolean }>("select to_regclass('drizzle.__drizzle_migrations') is not null as exists");
  if (table.rows[0]?.exists !== true) return 0;
  const counted = await client.query<{ n: number }>('select count(*)::int as n from drizzle.__drizzle_migrations');
  return counted.rows[0]?.n ?? 0;
}

function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (name === '') throw new Error('DATABASE_URL names no database');
  return name;
}

/** Runs `work` on a connection to the server's `postgres` database, where databases are created and dropped. */
async function onServer<T>(databaseUrl: string, work: (admin: pg.Client) => Promise<T>): Promise<T> {
  const adminUrl = new URL(databaseUrl);
  adminUrl.pathname = '/postgres';
  const admin = new pg.Client({ connectionString: adminUrl.toString() });
  // a dropped connection also fails the query in progress, which reports it; unheard, it would crash the process
  admin.on('error', () => undefined);
  await admin.connect();
  try {
    return await work(admin);
  } finally {
    await admin.end();
  }
}

const quoted = (name: string) => `"${name.replaceAll('"', '""')}"`;

/** Creates the database named by the URL when it is missing, connecting to the server's `postgres` database. */
export async function ensureDatabase(databaseUrl: string): Promise<boolean> {
  const name = databaseName(databaseUrl);
  return onServer(databaseUrl, async (admin) => {
    const existing = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (existing.rowCount !== 0) return false;
    try {
      await admin.query(`create database ${quoted(name)}`);
      return true;
    } catch (error) {
      // another process created it between our check and our create
      const code = sqlStateOf(error);
      if (code === SQL_STATE.duplicateDatabase || code === SQL_STATE.uniqueViolation) return false;
      throw error;
    }
  });
}

/** Drops the database named by the URL, if it exists, disconnecting whoever is still on it. */
export async function dropDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  await onServer(databaseUrl, (admin) => admin.query(`DROP DATABASE IF EXISTS ${quoted(name)} WITH (FORCE)`));
}

export async function migrateDatabase(databaseUrl: string, onWait?: () => void): Promise<MigrateResult> {
  const createdDatabase = await ensureDatabase(databaseUrl);
  const pool = createPool(databaseUrl, 2);
  const client = await pool.connect();
  let applied: number;
  let waited = false;
  try {
    const tried = await client.query<{ locked: boolean }>('select pg_try_advisory_lock($1) as locked', [MIGRATION_LOCK_KEY]);
    if (tried.rows[0]?.locked !== true) {
      waited = true;
      onWait?.();
      await client.query('select pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    }
    try {
      const before = await countApplied(client);
      await migrate(createDb(pool), { migrationsFolder: MIGRATIONS_FOLDER });
      applied = (await countApplied(client)) - before;
    } finally {
      await client.query('select pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]);
    }
  } finally {
    client.release();
    await pool.end();
  }
  return { createdDatabase, database: databaseName(databaseUrl), applied, waited };
}
