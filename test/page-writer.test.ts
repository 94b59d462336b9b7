/**
 * The page writer on its own: pages batched into transactions, an asset listed twice in one batch stored once
 * with its later answer, and every page's ids and the run's progress committed with the rows.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRun, getRun, loadSeenIds } from '../src/db/sync-runs.repository.ts';
import type { CatalogRecord, ListingPage } from '../src/providers/provider.ts';
import { createPageWriter } from '../src/sync/page-writer.ts';
import { CompactIdSet } from '../src/util/compact-id-set.ts';
import { catalogOf } from './support/catalog.ts';
import { createTestDatabase, type TestDatabase } from './support/services.ts';

function record(assetId: string, status: string): CatalogRecord {
  return {
    assetId,
    kind: 'image',
    status,
    title: null,
    description: null,
    category: null,
    url: `https://cdn.example/${assetId}`,
    width: 10,
    height: 10,
    durationSeconds: null,
    frames: null,
    sizeBytes: null,
    tags: null,
    providerCreatedAt: null,
    providerUpdatedAt: null,
    trashedAt: null,
    raw: { id: assetId, status },
  };
}

function page(key: number, records: CatalogRecord[]): ListingPage {
  return { key: String(key), items: records.map((r) => ({ ok: true, record: r })), progress: { page: key }, total: 7 };
}

describe('page writer', () => {
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
  });

  it('stores an asset listed twice in one batch once, with the later answer, and commits progress with the rows', async () => {
    const run = await createRun(database.db, 'affogato', new Date());
    const seen = new CompactIdSet();
    const committed: number[] = [];
    const writer = createPageWriter({
      pool: database.pool,
      provider: 'affogato',
      runId: run.id,
      pass: 1,
      seen,
      clock: () => new Date(),
      batchRows: 4,
      maxBatchAgeMs: 60_000,
      writesInFlight: 2,
      onCommitted: (totals) => committed.push(totals.pages),
    });
    // the first batch: pages 1 and 2, where ast_b shifted onto page 2 with a newer status;
    // ids arrive out of order, so the batch must sort them itself
    await writer.add(page(1, [record('ast_c', 'active'), record('ast_b', 'pending')]));
    await writer.add(page(2, [record('ast_b', 'archive'), record('ast_a', 'active')]));
    // the second batch: page 3, with ast_Z (sorting before lower case) and a multi-byte id
    await writer.add(page(3, [record('ast_Z', 'active'), record('ast_é', 'censored'), record('ast_d', 'processing'), record('ast_0', 'archive')]));
    await writer.finish();

    expect(committed).toEqual([2, 1]);
    const catalog = await catalogOf(database.pool, 'affogato');
    expect(new Map([...catalog].map(([id, row]) => [id, row.status]))).toEqual(
      new Map([
        ['ast_a', 'active'],
        ['ast_b', 'archive'],
        ['ast_c', 'active'],
        ['ast_0', 'archive'],
        ['ast_d', 'processing'],
        ['ast_Z', 'active'],
        ['ast_é', 'censored'],
      ]),
    );
    expect(catalog.get('ast_é')?.url).toBe('https://cdn.example/ast_é');
    const stored = await getRun(database.db, run.id);
    expect(stored).toMatchObject({ pages: 3, seen: 7, progress: { page: 3 } });
    const reloaded = await loadSeenIds(database.db, run.id);
    expect([...reloaded.pageKeys].sort()).toEqual(['1:1', '1:2', '1:3']);
    expect(reloaded.seen.size).toBe(7);
  });
});
