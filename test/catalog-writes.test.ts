/**
 * The two ways a batch reaches the catalog: a plain COPY when none of its assets is known yet, and the
 * staging-table merge otherwise. The COPY never writes part of a batch, and the merge never rewrites an
 * unchanged row.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyRow, insertNewCopyRows, upsertCopyRows } from '../src/db/catalog.repository.ts';
import { withTransaction } from '../src/db/transaction.ts';
import type { CatalogRecord } from '../src/providers/provider.ts';
import { catalogOf, rowVersions } from './support/catalog.ts';
import { createTestDatabase, type TestDatabase } from './support/services.ts';

function record(assetId: string, title: string): CatalogRecord {
  return {
    assetId,
    kind: 'image',
    status: 'ready',
    title,
    description: 'tab\there, newline\nhere, backslash \\ here',
    category: null,
    url: null,
    width: 640,
    height: 480,
    durationSeconds: null,
    frames: null,
    sizeBytes: 1234,
    tags: ['a,b', 'c "quoted"'],
    providerCreatedAt: new Date('2026-01-02T03:04:05.000Z'),
    providerUpdatedAt: null,
    trashedAt: null,
    raw: { id: assetId, title },
  };
}

const linesOf = (records: CatalogRecord[]) => records.map((r) => copyRow('roughy', r)).join('');

describe('catalog batch writes', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('COPYs a batch of new assets straight in, every field intact', async () => {
    const batch = [record('r-1', 'one'), record('r-2', 'two')];
    const inserted = await withTransaction(database.pool, (client) => insertNewCopyRows(client, linesOf(batch)));
    expect(inserted).toBe(2);
    const { rows } = await database.pool.query('SELECT asset_id, title, description, tags, raw, removed_at FROM assets ORDER BY asset_id');
    expect(rows).toEqual([
      { asset_id: 'r-1', title: 'one', description: 'tab\there, newline\nhere, backslash \\ here', tags: ['a,b', 'c "quoted"'], raw: { id: 'r-1', title: 'one' }, removed_at: null },
      { asset_id: 'r-2', title: 'two', description: 'tab\there, newline\nhere, backslash \\ here', tags: ['a,b', 'c "quoted"'], raw: { id: 'r-2', title: 'two' }, removed_at: null },
    ]);
  });

  it('writes nothing of a batch holding one known asset, and the merge then stores it', async () => {
    const before = await rowVersions(database.pool, 'roughy');
    const batch = [record('r-3', 'three'), record('r-1', 'one, renamed'), record('r-4', 'four')];
    const result = await withTransaction(database.pool, async (client) => {
      const direct = await insertNewCopyRows(client, linesOf(batch));
      // the transaction is still usable after the refused COPY
      const merged = await upsertCopyRows(client, 'roughy', linesOf(batch), new Date());
      return { direct, merged };
    });
    expect(result.direct).toBeUndefined();
    expect(result.merged).toEqual({ inserted: 2, updated: 1 });
    const catalog = await catalogOf(database.pool, 'roughy');
    expect([...catalog.keys()].sort()).toEqual(['r-1', 'r-2', 'r-3', 'r-4']);
    expect(catalog.get('r-1')?.title).toBe('one, renamed');
    // the untouched asset kept its row version
    expect((await rowVersions(database.pool, 'roughy')).get('r-2')).toBe(before.get('r-2'));
  });

  it('merges an unchanged batch without rewriting a row', async () => {
    const before = await rowVersions(database.pool, 'roughy');
    const batch = [record('r-2', 'two'), record('r-3', 'three')];
    const merged = await withTransaction(database.pool, (client) => upsertCopyRows(client, 'roughy', linesOf(batch), new Date()));
    expect(merged).toEqual({ inserted: 0, updated: 0 });
    const after = await rowVersions(database.pool, 'roughy');
    expect(after.get('r-2')).toBe(before.get('r-2'));
    expect(after.get('r-3')).toBe(before.get('r-3'));
  });
});
