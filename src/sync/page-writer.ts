/**
 * Commits listing pages in batches: each batch's rows, quarantined records, page ids and the run's progress
 * go in ONE transaction, so a crash at any instant leaves the catalog and the resume point consistent.
 * One batch is written while the next is being fetched; at most one write is in flight (bounded memory).
 */
import type pg from 'pg';
import { createDb } from '../db/client.ts';
import { upsertRecords } from '../db/catalog.repository.ts';
import { insertQuarantined, type QuarantinedRecord } from '../db/quarantine.repository.ts';
import { incrementRun, insertPages } from '../db/sync-runs.repository.ts';
import type { ProviderName } from '../providers/provider-names.ts';
import type { CatalogRecord, ListingPage } from '../providers/provider.ts';
import { withTransaction } from '../db/transaction.ts';

export interface BatchTotals {
  pages: number;
  inserted: number;
  updated: number;
  quarantined: number;
}

export interface PageWriterOptions {
  pool: pg.Pool;
  provider: ProviderName;
  runId: number;
  /** prefix of page keys: the pass number, so a second pass does not collide with the first */
  pass: number;
  seen: Set<string>;
  clock: () => Date;
  batchRows: number;
  /** a batch is also written once its first page is this old, so slow listings checkpoint often */
  maxBatchAgeMs?: number;
  onCommitted: (totals: BatchTotals, lastTotal: number | undefined) => void;
}

export interface PageWriter {
  add(page: ListingPage): Promise<void>;
  /** writes what is buffered and waits for every write */
  finish(): Promise<void>;
}

export function createPageWriter(options: PageWriterOptions): PageWriter {
  let buffer: ListingPage[] = [];
  let bufferedRows = 0;
  let batchStartedAt = 0;
  let inFlight: Promise<void> | undefined;

  async function write(pages: ListingPage[]): Promise<void> {
    const records: CatalogRecord[] = [];
    const quarantined: QuarantinedRecord[] = [];
    const pageRows: Array<{ pageKey: string; assetIds: string[] }> = [];
    const newIds = new Set<string>();
    for (const page of pages) {
      const ids: string[] = [];
      for (const item of page.items) {
        if (item.ok) {
          records.push(item.record);
          ids.push(item.record.assetId);
        } else {
          quarantined.push({ assetId: item.assetId, reason: item.reason, raw: item.raw });
          // a malformed record still proves its asset exists: it must not become a removal candidate
          if (item.assetId !== null) ids.push(item.assetId);
        }
      }
      for (const id of ids) if (!options.seen.has(id)) newIds.add(id);
      pageRows.push({ pageKey: `${options.pass}:${page.key}`, assetIds: ids });
    }
    const last = pages[pages.length - 1];
    const reportedTotal = [...pages].reverse().find((page) => page.total !== undefined)?.total;
    const totals = await withTransaction(options.pool, async (client) => {
      // Safe to not wait for the WAL flush: the rows and the resume point commit together, so a database crash
      // loses both or neither, and the run resumes from whatever survived.
      await client.query('SET LOCAL synchronous_commit = off');
      const db = createDb(client);
      const counts = await upsertRecords(client, options.provider, records, options.clock());
      const newlyQuarantined = await insertQuarantined(db, options.provider, options.runId, quarantined);
      await insertPages(db, options.runId, pageRows);
      await incrementRun(
        db,
        options.runId,
        { pages: pages.length, inserted: counts.inserted, updated: counts.updated, quarantined: newlyQuarantined },
        {
          progress: last?.progress ?? {},
          seen: options.seen.size + newIds.size,
          ...(reportedTotal === undefined ? {} : { reportedTotal }),
        },
      );
      return { pages: pages.length, inserted: counts.inserted, updated: counts.updated, quarantined: newlyQuarantined };
    });
    for (const id of newIds) options.seen.add(id);
    options.onCommitted(totals, reportedTotal);
  }

  async function startWrite(): Promise<void> {
    const pages = buffer;
    buffer = [];
    bufferedRows = 0;
    if (inFlight !== undefined) await inFlight;
    inFlight = write(pages);
    // surfaced by the next add() or finish(); keep it from being reported as unhandled in between
    inFlight.catch(() => undefined);
  }

  return {
    async add(page) {
      if (buffer.length === 0) batchStartedAt = Date.now();
      buffer.push(page);
      bufferedRows += page.items.length;
      const aged = Date.now() - batchStartedAt >= (options.maxBatchAgeMs ?? 1_000);
      if (bufferedRows >= options.batchRows || aged) await startWrite();
    },
    async finish() {
      if (buffer.length > 0) await startWrite();
      if (inFlight !== undefined) await inFlight;
    },
  };
}
