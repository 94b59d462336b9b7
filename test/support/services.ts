/**
 * Per-test-file isolation on the shared servers: a fresh database (migrated) and a unique queue prefix.
 */
import { randomBytes } from 'node:crypto';
import { Redis } from 'ioredis';
import pg from 'pg';
import { inject } from 'vitest';
import { closePool, createDb, createPool, type Db } from '../../src/db/client.ts';
import { dropDatabase, migrateDatabase } from '../../src/db/migrate.ts';

export interface TestDatabase {
  url: string;
  pool: pg.Pool;
  db: Db;
  drop(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}_${Date.now().toString(36)}_${randomBytes(4).toString('hex')}`;
}

export function redisUrl(): string {
  return inject('redisUrl');
}

export function testQueuePrefix(): string {
  return uniqueName('alwtest');
}

export function createRedis(): Redis {
  return new Redis(redisUrl(), { maxRetriesPerRequest: null });
}

/**
 * Deletes every key under a prefix: tests put rate-limit budgets under it as well as queues, so this is a key scan
 * rather than BullMQ's Queue.obliterate, which clears one queue's keys only.
 */
export async function clearPrefix(prefix: string): Promise<void> {
  const redis = createRedis();
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      cursor = next;
      if (keys.length > 0) await redis.del(...keys);
    } while (cursor !== '0');
  } finally {
    redis.disconnect();
  }
}

export async function createTestDatabase(): Promise<TestDatabase> {
  const server = new URL(inject('databaseServerUrl'));
  const name = uniqueName('alw_test');
  server.pathname = `/${name}`;
  const url = server.toString();
  await migrateDatabase(url);
  const pool = createPool(url, 5);
  return {
    url,
    pool,
    db: createDb(pool),
    async drop() {
      await closePool(pool);
      await dropDatabase(url);
    },
  };
}
