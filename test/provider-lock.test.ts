/**
 * The provider lock: its wait gives way to a stop signal (a worker shutting down must not wait out another
 * process's sync) and leaves neither the lock nor a connection behind; a lock whose connection is terminated is
 * known to be lost, so the work holding it stops where it commits instead of going on beside the next holder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireProviderLock, isProviderLockHeld, LockLostError, providerLockKeys } from '../src/db/provider-lock.ts';
import { waitFor } from './support/catalog.ts';
import { createTestDatabase, type TestDatabase } from './support/services.ts';

describe('provider lock', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('a wait for a held lock ends with the signal, and the lock is then free to take', async () => {
    const held = await acquireProviderLock(database.pool, 'sync', 'roughy', () => undefined);
    const stop = new AbortController();
    let waiting = false;
    const waiter = acquireProviderLock(database.pool, 'sync', 'roughy', () => (waiting = true), stop.signal);
    await expect.poll(() => waiting).toBe(true);
    stop.abort(new DOMException('stopped', 'AbortError'));
    await expect(waiter).rejects.toMatchObject({ name: 'AbortError' });
    // the holder was not disturbed
    try {
      const locks = await database.pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM pg_locks l JOIN pg_database d ON d.oid = l.database WHERE d.datname = current_database() AND l.locktype = 'advisory' AND l.granted",
      );
      expect(locks.rows[0]?.n).toBe(1);
    } finally {
      await held.release();
    }

    const next = await acquireProviderLock(database.pool, 'sync', 'roughy', () => undefined, new AbortController().signal);
    expect(next.waited).toBe(false);
    await next.release();
    // the cancelled connection went back to the pool or was closed: none is still checked out
    expect(database.pool.totalCount - database.pool.idleCount).toBe(0);
  });

  it('an already aborted signal does not start a wait', async () => {
    const held = await acquireProviderLock(database.pool, 'retention', 'roughy', () => undefined);
    const stop = new AbortController();
    stop.abort(new DOMException('stopped', 'AbortError'));
    let waited = false;
    await expect(acquireProviderLock(database.pool, 'retention', 'roughy', () => (waited = true), stop.signal)).rejects.toMatchObject({ name: 'AbortError' });
    expect(waited).toBe(false);
    await held.release();
  });

  it('is seen held while held; once its session is terminated, assertHeld throws and another process can take it', async () => {
    const lock = await acquireProviderLock(database.pool, 'sync', 'roughy', () => undefined);
    expect(await isProviderLockHeld(database.db, 'sync', 'roughy')).toBe(true);
    expect(await isProviderLockHeld(database.db, 'sync', 'affogato')).toBe(false);
    expect(() => lock.assertHeld()).not.toThrow();

    // pg_locks shows the keys as oids (unsigned)
    const [classId, objId] = providerLockKeys('sync', 'roughy');
    await database.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = $1 AND objid = $2 AND objsubid = 2
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [classId >>> 0, objId >>> 0],
    );
    await waitFor(async () => {
      try {
        lock.assertHeld();
        return undefined;
      } catch (error) {
        return error;
      }
    }, 20).then((error) => expect(error).toBeInstanceOf(LockLostError));
    expect(await isProviderLockHeld(database.db, 'sync', 'roughy')).toBe(false);
    const next = await acquireProviderLock(database.pool, 'sync', 'roughy', () => undefined);
    expect(next.waited).toBe(false);
    await next.release();
    await lock.release();
  });
});
