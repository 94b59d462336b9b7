/**
 * The page writer on its own: pages batched into transactions, an asset listed twice in one batch stored once
 * with its later answer, and every page's ids and the run's progress committed with the rows.
 */
import type pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { setChangeContext } from '../src/db/change-context.ts';
import { serverStartedAt } from '../src/db/server-instance.ts';
import { createRun, getRun, loadSeenIds } from '../src/db/sync-runs.repository.ts';
import { withTransaction } from '../src/db/transaction.ts';
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
  return { key: String(key), items: records.map((r) => ({ ok: true, record: r })), progress: { page: key }, total: 12 };
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
      serverStartedAt: await serverStartedAt(database.pool),
      batchRows: 4,
      maxBatchAgeMs: 60_000,
      // one write at a time, so batches commit in listing order and the last progress is the last page's
      writesInFlight: 1,
      onCommitted: (totals) => committed.push(totals.pages),
    });
    const long = (id: string, status: string) => ({ ...record(id, status), url: `https://cdn.example/${id}/${'x'.repeat(500)}` });
    // the first batch: pages 1 and 2, where ast_b shifted onto page 2 with a newer status; long lines, and ids
    // arriving out of order, so the batch must sort them itself
    await writer.add(page(1, [long('ast_c', 'active'), long('ast_b', 'pending')]));
    await writer.add(page(2, [long('ast_b', 'archive'), long('ast_a', 'active')]));
    // the second batch: ast_Z (sorting before lower case) and a multi-byte id
    await writer.add(page(3, [record('ast_Z', 'active'), record('ast_é', 'censored'), record('ast_d', 'processing'), record('ast_0', 'archive')]));
    await writer.add(page(4, [record('ast_e', 'active'), record('ast_f', 'active'), record('ast_g', 'active'), record('ast_h', 'active')]));
    // the last batch reuses the first batch's line buffer: short lines must not pick up its old bytes
    await writer.add(page(5, [record('ast_i', 'pending')]));
    await writer.finish();

    expect(committed).toEqual([2, 1, 1, 1]);
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
        ['ast_e', 'active'],
        ['ast_f', 'active'],
        ['ast_g', 'active'],
        ['ast_h', 'active'],
        ['ast_i', 'pending'],
      ]),
    );
    expect(catalog.get('ast_b')?.url).toBe(`https://cdn.example/ast_b/${'x'.repeat(500)}`);
    expect(catalog.get('ast_é')?.url).toBe('https://cdn.example/ast_é');
    expect(catalog.get('ast_i')?.url).toBe('https://cdn.example/ast_i');
    const stored = await getRun(database.db, run.id);
    expect(stored).toMatchObject({ pages: 5, seen: 12, progress: { page: 5 } });
    // read in one go, a few pages at a time (the last read short), and in reads that end exactly on the last page
    for (const pagesPerRead of [500, 2, 5, 1]) {
      const reloaded = await loadSeenIds(database.db, run.id, pagesPerRead);
      expect([...reloaded.pageKeys].sort()).toEqual(['1:1', '1:2', '1:3', '1:4', '1:5']);
      expect(reloaded.seen.size).toBe(12);
      expect([...reloaded.seen].sort()).toEqual([...seen].sort());
    }
  });

  it("turns synchronous_commit off with the change context, in the same statement, for that transaction only", async () => {
    const read = async (client: pg.PoolClient) =>
      (await client.query("SELECT current_setting('synchronous_commit') AS sync, current_setting('asset_worker.change_source') AS source")).rows[0];
    const inside = await withTransaction(database.pool, async (client) => {
      await setChangeContext(client, { source: 'sync', at: new Date() }, { asyncCommit: true });
      return read(client);
    });
    expect(inside).toEqual({ sync: 'off', source: 'sync' });
    const plain = await withTransaction(database.pool, async (client) => {
      await setChangeContext(client, { source: 'bulk', at: new Date() });
      return read(client);
    });
    expect(plain).toEqual({ sync: 'on', source: 'bulk' });
  });
});
