/**
 * One run at a time per provider and per kind of work, across every process on the database: a Postgres
 * advisory lock held on a dedicated connection. A process that dies loses its connection and so its lock,
 * which is exactly the liveness signal a resumed run needs.
 */
import { sql } from 'drizzle-orm';
import type pg from 'pg';
import { SQL_STATE, sqlStateOf } from './sql-state.ts';
import type { Db } from './client.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { providerLockKey } from '../domain/provider-lock-key.ts';

export const LOCK_SPACES = { sync: 7_420_010, retention: 7_420_020 } as const;
export type LockSpace = keyof typeof LOCK_SPACES;

/** The advisory lock's two keys: the kind of work, and the provider's name-derived key (never its position). */
export function providerLockKeys(space: LockSpace, provider: ProviderName): [number, number] {
  return [LOCK_SPACES[space], providerLockKey(provider)];
}

export interface HeldLock {
  /** true when another holder had it first and we waited for it */
  waited: boolean;
  /**
   * Throws once the lock's connection has failed (a restart, a terminated session): the lock went with it, so
   * another process may now run the same work. Long work checks this where it commits.
   */
  assertHeld(): void;
  release(): Promise<void>;
}

/** The connection holding a provider lock failed: the lock is gone, and the work must stop where it stands. */
export class LockLostError extends Error {
  constructor(space: LockSpace, provider: ProviderName) {
    super(`the ${space} lock of ${provider} was lost with its database connection: stopping; the retry resumes`);
    this.name = 'LockLostError';
  }
}

/**
 * Waits for the lock; `signal` gives up the wait (a worker shutting down must not wait out another process's
 * sync): the blocked query is cancelled from another connection and the signal's reason thrown.
 */
export async function acquireProviderLock(
  pool: pg.Pool,
  space: LockSpace,
  provider: ProviderName,
  onWait: () => void,
  signal?: AbortSignal,
): Promise<HeldLock> {
  const client = await pool.connect();
  const key = providerLockKeys(space, provider);
  let lost = false;
  const onLost = () => {
    lost = true;
  };
  client.on('error', onLost);
  client.on('end', onLost);
  const forget = () => {
    client.off('error', onLost);
    client.off('end', onLost);
  };
  try {
    const tried = await client.query<{ locked: boolean; pid: number }>('SELECT pg_try_advisory_lock($1, $2) AS locked, pg_backend_pid() AS pid', key);
    const waited = tried.rows[0]?.locked !== true;
    if (waited) {
      signal?.throwIfAborted();
      onWait();
      await waitForLock(pool, client, key, tried.rows[0]?.pid, signal);
    }
    return {
      waited,
      assertHeld() {
        if (lost) throw new LockLostError(space, provider);
      },
      async release() {
        forget();
        try {
          await client.query('SELECT pg_advisory_unlock($1, $2)', key);
          client.release();
        } catch (error) {
          // a broken connection has dropped the lock already; discard it
          client.release(error as Error);
        }
      },
    };
  } catch (error) {
    forget();
    client.release(error as Error);
    throw error;
  }
}

async function waitForLock(pool: pg.Pool, client: pg.PoolClient, key: number[], backendPid: number | undefined, signal?: AbortSignal): Promise<void> {
  if (signal === undefined || backendPid === undefined) {
    await client.query('SELECT pg_advisory_lock($1, $2)', key);
    return;
  }
  // a cancel that arrives after the lock was granted finds the connection idle and does nothing; one that fails
  // (the database is going away) leaves the wait to end with the connection, which rejects it anyway
  const cancel = () => void pool.query('SELECT pg_cancel_backend($1)', [backendPid]).catch(() => undefined);
  signal.addEventListener('abort', cancel, { once: true });
  try {
    await client.query('SELECT pg_advisory_lock($1, $2)', key);
  } catch (error) {
    if (signal.aborted && sqlStateOf(error) === SQL_STATE.queryCanceled) throw signal.reason;
    throw error;
  } finally {
    signal.removeEventListener('abort', cancel);
  }
}

/**
 * Whether some session of this database holds the lock: its work is running (a `sync` command, a handler whose
 * job was lost with Redis), so nothing needs enqueueing for it.
 */
export async function isProviderLockHeld(db: Db, space: LockSpace, provider: ProviderName): Promise<boolean> {
  const [classId, objId] = providerLockKeys(space, provider);
  // pg_locks shows the two int4 keys as oids, i.e. unsigned
  const result = await db.execute<{ held: boolean }>(sql`
    SELECT EXISTS (
      SELECT 1 FROM pg_locks
      WHERE locktype = 'advisory' AND granted AND objsubid = 2
        AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        AND classid = ${classId >>> 0} AND objid = ${objId >>> 0}
    ) AS held`);
  return result.rows[0]?.held === true;
}
