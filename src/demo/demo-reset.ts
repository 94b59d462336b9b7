/**
 * The demo starts from nothing each time: its own database is dropped and migrated afresh, and the keys under
 * its own queue prefix are deleted. Both refuse any name the demo did not derive, so nothing else is touched.
 */
import type { Redis } from 'ioredis';
import { dropDatabase, migrateDatabase } from '../db/migrate.ts';
import { isDemoDatabaseUrl, isDemoQueuePrefix } from './demo-environment.ts';

export async function resetDemoDatabase(databaseUrl: string): Promise<void> {
  if (!isDemoDatabaseUrl(databaseUrl)) throw new Error('refusing to reset a database that is not the demo database');
  await dropDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
}

export async function clearDemoQueues(redis: Redis, queuePrefix: string): Promise<number> {
  if (!isDemoQueuePrefix(queuePrefix)) throw new Error('refusing to clear a queue prefix that is not the demo prefix');
  let cursor = '0';
  let deleted = 0;
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${queuePrefix}:*`, 'COUNT', 1000);
    cursor = next;
    if (keys.length > 0) deleted += await redis.del(...keys);
  } while (cursor !== '0');
  return deleted;
}
