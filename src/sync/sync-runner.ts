/**
 * One full sync of one provider: page the listing into the catalog (checkpointed), decide whether the listing
 * can be trusted, confirm every missing asset with the detail endpoint, and close the run.
 * The scheduled job and the `sync` command both call `syncProvider`.
 */
import type pg from 'pg';
import { createDb } from '../db/client.ts';
import {
  createRun,
  findFinishedRunSince,
  findRunningRun,
  getRun,
  incrementRun,
  loadSeenIds,
  pruneFinishedRunPages,
  updateRun,
  type SyncRun,
} from '../db/sync-runs.repository.ts';
import { assertSameServer, serverStartedAt as serverStartedAtOf } from '../db/server-instance.ts';
import { withTransaction } from '../db/transaction.ts';
import { recordNotificationEvent, type NotificationOutbox } from '../db/notification-events.repository.ts';
import { judgeCompleteness } from '../domain/listing-checks.ts';
import { errorMessage } from '../errors.ts';
import { committingRequests, countingRequests, RequestTally } from '../http/request-tally.ts';
import type { Logger } from '../logger.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { createPageWriter } from './page-writer.ts';
import { acquireProviderLock } from '../db/provider-lock.ts';
import { confirmMissingAssets } from './removal-confirmation.ts';

export interface SyncOptions {
  pool: pg.Pool;
  logger: Logger;
  clock?: () => Date;
  /** rows per transaction on the listing path */
  batchRows?: number;
  maxPasses?: number;
  confirmConcurrency?: number;
  /** an open run older than this is abandoned and a fresh one started */
  abandonAfterMs?: number;
  signal?: AbortSignal;
  onProgress?: (progress: SyncProgress) => void;
  /** records a notification event with each run that ends partial or failed (undefined: notifications off) */
  notifications?: NotificationOutbox | undefined;
  /**
   * false while a failure will be retried (a job with attempts left): the run stays open and only the last
   * failure is reported as `sync.failed`. Default true (a command's one try).
   */
  failureIsFinal?: boolean;
}

export interface SyncProgress {
  provider: string;
  phase: 'listing' | 'confirming';
  pages: number;
  seen: number;
  total: number | undefined;
}

export interface SyncSummary {
  provider: string;
  runId: number;
  state: 'complete' | 'partial';
  pages: number;
  seen: number;
  inserted: number;
  updated: number;
  removed: number;
  trashed: number;
  quarantined: number;
  /** HTTP requests the run sent to the provider, retries included */
  requests: number;
  partialReason: string | null;
  /** true when this call waited for a run another process was doing, and reports that run */
  joined: boolean;
}

function summarize(run: SyncRun, joined: boolean): SyncSummary {
  return {
    provider: run.provider,
    runId: run.id,
    state: run.state === 'partial' ? 'partial' : 'complete',
    pages: run.pages,
    seen: run.seen,
    inserted: run.inserted,
    updated: run.updated,
    removed: run.removed,
    trashed: run.trashed,
    quarantined: run.quarantined,
    requests: run.requests,
    partialReason: run.partialReason,
    joined,
  };
}

export async function syncProvider(options: SyncOptions, provider: AssetProvider): Promise<SyncSummary> {
  const clock = options.clock ?? (() => new Date());
  const db = createDb(options.pool);
  const log = options.logger.child({ provider: provider.name });
  const waitStartedAt = clock();
  const lock = await acquireProviderLock(
    options.pool,
    'sync',
    provider.name,
    () => log.info('another process is syncing this provider; waiting for it to finish'),
    options.signal,
  );
  try {
    if (lock.waited) {
      const finished = await findFinishedRunSince(db, provider.name, waitStartedAt);
      if (finished !== undefined) return summarize(finished, true);
    }
    let run = await findRunningRun(db, provider.name);
    if (run !== undefined && clock().getTime() - run.startedAt.getTime() > (options.abandonAfterMs ?? 24 * 3_600_000)) {
      log.warn({ runId: run.id }, 'abandoning a sync run that has been open for over a day; starting afresh');
      const abandoned = run;
      await withTransaction(options.pool, async (tx) => {
        await updateRun(createDb(tx), abandoned.id, { state: 'failed', finishedAt: clock(), error: abandoned.error ?? 'abandoned' });
        const reason = `abandoned after being open for over a day${abandoned.error === null ? '' : ` (last error: ${abandoned.error})`}`;
        await recordNotificationEvent(tx, options.notifications, 'sync.failed', { provider: provider.name, runId: abandoned.id, reason });
      });
      run = undefined;
    }
    if (run === undefined) {
      run = await createRun(db, provider.name, clock());
      log.info({ runId: run.id }, 'sync started');
    } else {
      log.info({ runId: run.id, phase: run.phase, pages: run.pages }, 'resuming sync run');
    }
    // counted in this call's async context only: a retention or bulk job sharing the adapter is not counted here
    const requests = new RequestTally();
    try {
      return await countingRequests(requests, () => execute(options, provider, run, clock, log, () => lock.assertHeld(), requests));
    } catch (error) {
      // the run stays open: the next attempt resumes from its last committed page
      const failed = run;
      const final = options.failureIsFinal !== false && options.signal?.aborted !== true;
      // like every commit of the run; but the tally ends with this call, so the requests of an attempt whose failure
      // could not be recorded either are not counted (the next attempt counts its own)
      await committingRequests(requests, (takeRequests) =>
        withTransaction(options.pool, async (tx) => {
          await incrementRun(createDb(tx), failed.id, { requests: takeRequests() }, { error: errorMessage(error) });
          const data = { provider: provider.name, runId: failed.id, reason: errorMessage(error) };
          if (final) await recordNotificationEvent(tx, options.notifications, 'sync.failed', data);
        }),
      );
      throw error;
    }
  } finally {
    await lock.release();
  }
}

async function execute(
  options: SyncOptions,
  provider: AssetProvider,
  initial: SyncRun,
  clock: () => Date,
  log: Logger,
  assertLockHeld: () => void,
  requests: RequestTally,
): Promise<SyncSummary> {
  const db = createDb(options.pool);
  const runId = initial.id;
  // before the run's state is read: a restart after this point is caught where the listing commits
  const serverStartedAt = await serverStartedAtOf(options.pool);
  const { seen, pageKeys } = await loadSeenIds(db, runId);
  let pass = initial.pass;
  let progress = initial.progress as Record<string, unknown>;
  /** the position of the last listed page, for the provider's `suspects` */
  let lastProgress = progress;
  let reportedTotal = initial.reportedTotal ?? undefined;
  let pages = initial.pages;
  let partialReason: string | null = null;
  const report = (phase: SyncProgress['phase']) =>
    options.onProgress?.({ provider: provider.name, phase, pages, seen: seen.size, total: reportedTotal });

  if (initial.phase === 'listing') {
    for (;;) {
      const prefix = `${pass}:`;
      const committedPageKeys = new Set([...pageKeys].filter((key) => key.startsWith(prefix)).map((key) => key.slice(prefix.length)));
      const writer = createPageWriter({
        pool: options.pool,
        provider: provider.name,
        runId,
        pass,
        seen,
        clock,
        requests,
        serverStartedAt,
        assertLockHeld,
        batchRows: options.batchRows ?? 5_000,
        // page-number listings (fetched concurrently) do not depend on commit order; cursors and offsets do
        writesInFlight: provider.listingConcurrency > 1 ? 2 : 1,
        onCommitted: (totals, total) => {
          pages += totals.pages;
          if (total !== undefined) reportedTotal = total;
          report('listing');
        },
      });
      const context = { progress, committedPageKeys, seenIds: seen, signal: options.signal ?? new AbortController().signal };
      for await (const page of provider.list(context)) {
        lastProgress = page.progress;
        await writer.add(page);
        if (options.signal?.aborted === true) break;
      }
      // on a stop request the pages already fetched are committed first, so the next run resumes after them
      await writer.finish();
      options.signal?.throwIfAborted();
      const decision = judgeCompleteness({ distinctSeen: seen.size, reportedTotal, pass, maxPasses: options.maxPasses ?? 2 });
      if (decision.verdict === 'another-pass') {
        log.info({ pass, seen: seen.size, total: reportedTotal }, 'fewer distinct assets than the listing reported; paging again');
        pass += 1;
        progress = {};
        lastProgress = progress;
        await updateRun(db, runId, { pass, progress });
        continue;
      }
      if (decision.shortfall !== undefined) log.warn(decision.shortfall);
      break;
    }
    // committed on the server the listing was written to, and synchronously: every batch before it is durable too
    await withTransaction(options.pool, async (client) => {
      await assertSameServer(client, serverStartedAt);
      assertLockHeld();
      await updateRun(createDb(client), runId, { phase: 'confirming', partialReason });
    });
  } else {
    partialReason = initial.partialReason;
  }

  if (partialReason === null) {
    report('confirming');
    partialReason = await confirmMissingAssets({
      pool: options.pool,
      provider,
      runId,
      pass,
      clock,
      requests,
      log,
      concurrency: options.confirmConcurrency ?? 4,
      seenIds: seen,
      progress: lastProgress,
      signal: options.signal,
    });
  } else {
    log.warn({ reason: partialReason }, 'listing not trustworthy: no asset is marked removed by this run');
  }

  const reason = partialReason;
  // what no batch committed: a sample that found the listing untrusted, the last lookups of the provider's suspects
  await committingRequests(requests, (takeRequests) =>
    withTransaction(options.pool, async (tx) => {
      const state = reason === null ? 'complete' : 'partial';
      const closed = { state, phase: 'done', partialReason: reason, finishedAt: clock(), error: null };
      await incrementRun(createDb(tx), runId, { requests: takeRequests() }, closed);
      const data = { provider: provider.name, runId, reason, pages, seen: seen.size };
      if (reason !== null) await recordNotificationEvent(tx, options.notifications, 'sync.partial', data);
    }),
  );
  await pruneFinishedRunPages(db, provider.name);
  const final = await getRun(db, runId);
  if (final === undefined) throw new Error(`sync run ${runId} vanished`);
  const summary = summarize(final, false);
  // the one summary line of the run; `provider` is already the child logger's
  const { provider: _provider, ...counts } = summary;
  log.info(counts, 'sync finished');
  return summary;
}
