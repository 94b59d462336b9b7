/**
 * A provider lock whose connection is terminated is known to be lost, so the work holding it stops where it
 * commits instead of going on beside the next holder.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acquireProviderLock, isProviderLockHeld, LockLostError } from '../src/sync/provider-lock.ts';
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

  it('is seen held while held; once its session is terminated, assertHeld throws and another process can take it', async () => {
    const lock = await acquireProviderLock(database.pool, 'sync', 'roughy', () => undefined);
    expect(await isProviderLockHeld(database.db, 'sync', 'roughy')).toBe(true);
    expect(await isProviderLockHeld(database.db, 'sync', 'affogato')).toBe(false);
    expect(() => lock.assertHeld()).not.toThrow();

    await database.pool.query(
      `SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND classid = 7420010 AND objid = 2 AND objsubid = 2
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
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
