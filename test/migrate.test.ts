import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateDatabase } from '../src/db/migrate.ts';
import { createTestDatabase, type TestDatabase } from './support/services.ts';

describe('migrate', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('creates the reporting views with the contract columns, and is idempotent', async () => {
    const again = await migrateDatabase(database.url);
    expect(again.createdDatabase).toBe(false);
    const columns = async (view: string) =>
      (
        await database.pool.query<{ column_name: string }>(
          'select column_name from information_schema.columns where table_name = $1 order by ordinal_position',
          [view],
        )
      ).rows.map((row) => row.column_name);
    expect(await columns('catalog_assets')).toEqual([
      'provider', 'asset_id', 'kind', 'status', 'title', 'url', 'width', 'height', 'duration_seconds', 'frames',
      'size_bytes', 'tags', 'provider_created_at', 'provider_updated_at', 'first_seen_at', 'last_seen_at',
      'trashed_at', 'removed_at', 'raw',
    ]);
    expect(await columns('retention_log')).toEqual([
      'run_id', 'provider', 'asset_id', 'rule', 'action', 'state', 'reason', 'decided_at', 'applied_at', 'error',
    ]);
    expect(await columns('dag_runs')).toEqual([
      'asset_id', 'dag_action_id', 'run_id', 'status', 'outcome', 'started_at', 'finished_at', 'last_polled_at', 'messages',
      'worker_run_id',
    ]);
  });
});
