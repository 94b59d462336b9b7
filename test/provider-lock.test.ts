/**
 * The provider lock's wait gives way to a stop signal: a worker shutting down must not wait out another
 * process's sync. The abandoned wait leaves neither the lock nor a connection behind.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireProviderLock } from '../src/sync/provider-lock.ts';
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
});
