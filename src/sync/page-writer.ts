/**
 * Commits listing pages in batches: each batch's rows, quarantined records, page ids and the run's progress
 * go in ONE transaction, so a crash at any instant leaves the catalog and the resume point consistent.
 *
 * A page is encoded to COPY text as it arrives, while the previous batch is being written, so the write itself
 * is only database work. Listings whose progress does not depend on page order (page-number listings) may have
 * two batches committing side by side; cursor and offset listings commit strictly in order.
 */
import type pg from 'pg';
import { createDb } from '../db/client.ts';
import { CopyDataBuffer } from '../db/copy-buffer.ts';
import { assertSameServer } from '../db/server-instance.ts';
import { setChangeContext } from '../db/change-context.ts';
import { copyRow, insertNewCopyRows, upsertCopyRows, type UpsertCounts } from '../db/catalog.repository.ts';
import { insertQuarantined, type QuarantinedRecord } from '../db/quarantine.repository.ts';
import { incrementRun, insertPages } from '../db/sync-runs.repository.ts';
import { withTransaction } from '../db/transaction.ts';
import { compareUtf8Order } from '../domain/utf8-order.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { committingRequests, type RequestTally } from '../http/request-tally.ts';
import type { ListingPage } from '../providers/provider.ts';
import type { CompactIdSet } from '../util/compact-id-set.ts';

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
  /**
   * ids listed by this run; the writer adds a batch's ids when its write starts. An id whose write then fails
   * is not lost: the failure ends the sync, and the next attempt reloads the set from the committed pages.
   */
  seen: CompactIdSet;
  /** the time each batch is recorded at: the catalog's first/last seen and changed times, and its catalog_changes rows */
  clock: () => Date;
  /** the run's requests to the provider: each batch commits the ones sent since the previous commit */
  requests?: RequestTally;
  /** the server's start time when the run began (server-instance.ts): a batch is never committed on a later run of it */
  serverStartedAt: string;
  /** throws when the run's lock is lost (provider-lock.ts): a batch is never committed without it */
  assertLockHeld?: () => void;
  batchRows: number;
  /** a batch is also written once its first page is this old, so slow listings checkpoint often */
  maxBatchAgeMs?: number;
  /** batches committing at once: 1 keeps commits in listing order (needed when progress is a cursor) */
  writesInFlight?: number;
  onCommitted: (totals: BatchTotals, lastTotal: number | undefined) => void;
}

export interface PageWriter {
  add(page: ListingPage): Promise<void>;
  /** writes what is buffered and waits for every write */
  finish(): Promise<void>;
}

/**
 * A batch being filled: each page is encoded on arrival and only its COPY lines are kept, as bytes outside the JS
 * heap, so neither the parsed page nor the lines are copied by young-generation collections.
 */
class Batch {
  pageCount = 0;
  rows = 0;
  progress: Record<string, unknown> = {};
  reportedTotal: number | undefined;
  readonly quarantined: QuarantinedRecord[] = [];
  readonly pageRows: Array<{ pageKey: string; assetIds: string[] }> = [];
  /** when the first page arrived */
  startedAt = 0;
  /** line i of `lines` is asset `lineIds[i]`'s, and ends at byte `lineEnds[i]` */
  private readonly lineIds: string[] = [];
  private readonly lineEnds: number[] = [];

  constructor(
    private readonly provider: ProviderName,
    private readonly pass: number,
    /** the COPY line of each valid record, in arrival order */
    readonly lines: CopyDataBuffer,
  ) {
    lines.reset();
  }

  add(page: ListingPage): void {
    if (this.pageCount === 0) this.startedAt = Date.now();
    const pageIds: string[] = [];
    for (const item of page.items) {
      if (item.ok) {
        const { assetId } = item.record;
        this.lines.append(copyRow(this.provider, item.record));
        this.lineIds.push(assetId);
        this.lineEnds.push(this.lines.length);
        pageIds.push(assetId);
      } else {
        this.quarantined.push({ assetId: item.assetId, reason: item.reason, raw: item.raw });
        // a malformed record still proves its asset exists: it must not become a removal candidate
        if (item.assetId !== null) pageIds.push(item.assetId);
      }
    }
    this.pageCount += 1;
    this.rows += page.items.length;
    this.progress = page.progress;
    if (page.total !== undefined) this.reportedTotal = page.total;
    this.pageRows.push({ pageKey: `${this.pass}:${page.key}`, assetIds: pageIds });
  }

  /** every id the batch's pages listed, valid or quarantined */
  *ids(): Iterable<string> {
    for (const page of this.pageRows) yield* page.assetIds;
  }

  /**
   * Writes the batch's COPY data into `target`: one line per asset, in the order of their ids' bytes, which
   * is the merge's `ORDER BY asset_id COLLATE "C"`, so two batches committing side by side, either way, lock
   * shared rows in the same order and cannot deadlock. An asset listed twice gets its later line, the fresher
   * answer.
   */
  encodeInto(target: CopyDataBuffer): Buffer {
    target.reset();
    const ids = this.lineIds;
    const order = ids.map((_, line) => line).sort((a, b) => compareUtf8Order(ids[a] as string, ids[b] as string) || a - b);
    order.forEach((line, position) => {
      const next = order[position + 1];
      if (next !== undefined && ids[next] === ids[line]) return;
      target.appendFrom(this.lines, line === 0 ? 0 : (this.lineEnds[line - 1] as number), this.lineEnds[line] as number);
    });
    return target.view();
  }
}

export function createPageWriter(options: PageWriterOptions): PageWriter {
  const maxInFlight = Math.max(1, options.writesInFlight ?? 1);
  const inFlight = new Set<Promise<void>>();
  let failure: { error: unknown } | undefined;
  // While every batch has been new to the catalog (a first import), the next is tried as a plain COPY; the first
  // batch holding a known asset turns that off for the rest of the run, so a re-sync pays for one failed row.
  let directInserts = true;
  // buffers reused batch after batch (see CopyDataBuffer): one per batch being filled or encoded, one per write
  const idleLineBuffers: CopyDataBuffer[] = [];
  const idleBuffers: CopyDataBuffer[] = [];
  const nextBatch = () => new Batch(options.provider, options.pass, idleLineBuffers.pop() ?? new CopyDataBuffer());
  let batch = nextBatch();

  async function storeRows(client: pg.PoolClient, copyData: Buffer, at: Date): Promise<UpsertCounts> {
    if (directInserts) {
      const inserted = await insertNewCopyRows(client, copyData);
      if (inserted !== undefined) return { inserted, updated: 0 };
      directInserts = false;
    }
    return upsertCopyRows(client, options.provider, copyData, at);
  }

  async function write(current: Batch, newlySeen: number): Promise<void> {
    const { pageCount: pages, reportedTotal } = current;
    const buffer = idleBuffers.pop() ?? new CopyDataBuffer();
    const at = options.clock();
    // given back only once the transaction has ended: by then the socket has sent every byte of it
    const totals = await committingRequests(options.requests, (takeRequests) =>
      withTransaction(options.pool, async (client) => {
        // Safe to not wait for the WAL flush: the rows and the resume point commit together, so a database crash
        // loses both or neither, and the run resumes from whatever survived. This process must then not go on from
        // its memory: after a restart, its next batch fails here and the retry reloads what the database kept.
        await assertSameServer(client, options.serverStartedAt);
        options.assertLockHeld?.();
        // before any write: the direct COPY's rows take their first-seen time and run from it, the merge's changes too;
        // synchronous_commit goes off in the same statement
        await setChangeContext(client, { source: 'sync', at, syncRunId: options.runId }, { asyncCommit: true });
        const db = createDb(client);
        const copyData = current.encodeInto(buffer);
        idleLineBuffers.push(current.lines);
        const counts = await storeRows(client, copyData, at);
        const newlyQuarantined = await insertQuarantined(db, options.provider, options.runId, current.quarantined);
        await insertPages(db, options.runId, current.pageRows);
        await incrementRun(
          db,
          options.runId,
          { pages, seen: newlySeen, inserted: counts.inserted, updated: counts.updated, quarantined: newlyQuarantined, requests: takeRequests() },
          { progress: current.progress, ...(reportedTotal === undefined ? {} : { reportedTotal }) },
        );
        return { pages, inserted: counts.inserted, updated: counts.updated, quarantined: newlyQuarantined };
      }),
    ).finally(() => idleBuffers.push(buffer));
    options.onCommitted(totals, reportedTotal);
  }

  async function startWrite(): Promise<void> {
    // the listing stops at the first batch that could not be committed
    if (failure !== undefined) throw failure.error;
    const current = batch;
    batch = nextBatch();
    while (inFlight.size >= maxInFlight) await Promise.race(inFlight);
    let newlySeen = 0;
    for (const id of current.ids()) if (options.seen.add(id)) newlySeen += 1;
    const written: Promise<void> = write(current, newlySeen).then(() => {
      inFlight.delete(written);
    });
    inFlight.add(written);
    // surfaced by the next add() or finish(); kept from being reported as unhandled in between
    written.catch((error: unknown) => {
      failure ??= { error };
    });
  }

  return {
    async add(page) {
      if (failure !== undefined) throw failure.error;
      batch.add(page);
      const aged = Date.now() - batch.startedAt >= (options.maxBatchAgeMs ?? 1_000);
      if (batch.rows >= options.batchRows || aged) await startWrite();
    },
    async finish() {
      if (batch.pageCount > 0) await startWrite();
      await Promise.all(inFlight);
    },
  };
}
