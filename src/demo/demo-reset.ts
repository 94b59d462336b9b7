/**
 * The demo starts from nothing each time: its own database is dropped and migrated afresh, and the keys under
 * its own queue prefix are obliterated. Both refuse any name the demo did not derive, so nothing else is touched.
 */
import type { Redis } from 'ioredis';
import { dropDatabase, migrateDatabase } from '../db/migrate.ts';
import { closeQueues, createQueues, obliterateQueues } from '../jobs/queues.ts';
import { isDemoDatabaseUrl, isDemoQueuePrefix } from './demo-environment.ts';

export async function resetDemoDatabase(databaseUrl: string): Promise<void> {
  if (!isDemoDatabaseUrl(databaseUrl)) throw new Error('refusing to reset a database that is not the demo database');
  await dropDatabase(databaseUrl);
  await migrateDatabase(databaseUrl);
}

/** The demo prefix holds only the demo's queues (the request budget lives under its own key), so this clears it. */
export async function clearDemoQueues(redis: Redis, queuePrefix: string): Promise<void> {
  if (!isDemoQueuePrefix(queuePrefix)) throw new Error('refusing to clear a queue prefix that is not the demo prefix');
  const queues = createQueues(redis, queuePrefix);
  try {
    await obliterateQueues(queues);
  } finally {
    await closeQueues(queues);
  }
}
