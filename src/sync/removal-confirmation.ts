/**
 * Assets the listing did not show are only candidates: each is confirmed with the provider's detail endpoint
 * before `removed_at` is set (404), `trashed_at` is set (Media Pocket's `deleted`), or it is kept (still there).
 */
import pMap from 'p-map';
import type pg from 'pg';
import { createDb } from '../db/client.ts';
import { recordGone } from '../db/action-effects.repository.ts';
import { setChangeContext } from '../db/change-context.ts';
import { countLiveAssets, liveAssetsNotSeen, markTrashed, upsertRecords } from '../db/catalog.repository.ts';
import { insertQuarantined, type QuarantinedRecord } from '../db/quarantine.repository.ts';
import { incrementRun, insertPages } from '../db/sync-runs.repository.ts';
import { withTransaction } from '../db/transaction.ts';
import { isSharpShrink, spreadSample } from '../domain/listing-checks.ts';
import { committingRequests, type RequestTally } from '../http/request-tally.ts';
import type { Logger } from '../logger.ts';
import type { AssetProvider, CatalogRecord, LookupResult } from '../providers/provider.ts';
import type { IdSet } from '../util/compact-id-set.ts';
import { chunk } from '../util/concurrency.ts';

const SAMPLE_SIZE = 10;
const CHUNK = 50;

export interface ConfirmationOptions {
  pool: pg.Pool;
  provider: AssetProvider;
  runId: number;
  pass: number;
  clock: () => Date;
  /** the run's requests to the provider: each settled chunk commits the ones sent since the previous commit */
  requests?: RequestTally;
  log: Logger;
  concurrency: number;
  /** for the provider's `suspects` (ids listed by this run that may have gone since) */
  seenIds?: IdSet;
  progress?: Record<string, unknown>;
  signal?: AbortSignal;
}

/**
 * null: every candidate settled. A string: none touched, because a sample showed the listing is not to be trusted;
 * it says why (the run's partial reason).
 */
export async function confirmMissingAssets(options: ConfirmationOptions): Promise<string | null> {
  const { pool, provider, runId, log } = options;
  const { candidates, counts } = await withTransaction(pool, async (client) => {
    const missing = await liveAssetsNotSeen(client, provider.name, runId);
    // the live count only matters for judging a shrink, so a listing that missed nothing is not counted again
    return { candidates: missing, counts: missing.length === 0 ? undefined : await countLiveAssets(client, provider.name) };
  });
  const suspects = await suspectsOf(options, new Set(candidates.map((candidate) => candidate.assetId)));
  if (candidates.length === 0 && suspects.length === 0) return null;
  // the sample's answers are reused below, each dropped once used: one detail request per candidate, none kept
  const answered = new Map<string, LookupResult>();
  const lookupSampled = async (assetId: string) => {
    const result = await provider.lookup(assetId);
    answered.set(assetId, result);
    return result;
  };
  const lookupOnce = async (assetId: string) => {
    const known = answered.get(assetId);
    if (known === undefined) return provider.lookup(assetId);
    answered.delete(assetId);
    return known;
  };
  const missingUntrashed = candidates.filter((candidate) => !candidate.trashed);
  if (counts !== undefined && isSharpShrink({ liveUntrashed: counts.live - counts.trashed, missingUntrashed: missingUntrashed.length })) {
    const sample = spreadSample(missingUntrashed, SAMPLE_SIZE);
    const lookups = await pMap(sample, (candidate) => lookupSampled(candidate.assetId), { concurrency: options.concurrency });
    const stillThere = lookups.filter((result) => result.state === 'present').length;
    if (stillThere > 0) {
      return `the listing lacked ${missingUntrashed.length} of ${counts.live - counts.trashed} live assets, and ${stillThere} of a sample of ${sample.length} still exist`;
    }
    log.warn({ missing: missingUntrashed.length, live: counts.live }, 'listing shrank sharply; a sample confirms the removals, checking each one');
  }
  // listed, then gone while we paged on: confirmed the same way, after the shrink check that is about the listing
  if (suspects.length > 0) log.info({ suspects: suspects.length }, 'the provider cannot vouch for some listed assets any more');
  candidates.push(...suspects.map((assetId) => ({ assetId, trashed: false })));
  log.info({ candidates: candidates.length }, 'confirming assets missing from the listing');
  // a resumed confirmation must not reuse the page keys of an interrupted one
  const attempt = options.clock().getTime().toString(36);
  for (const [index, group] of chunk(candidates, CHUNK).entries()) {
    const lookups = await pMap(group, (candidate) => lookupOnce(candidate.assetId), { concurrency: options.concurrency });
    const outcomes = group.map((candidate, i) => ({ assetId: candidate.assetId, result: lookups[i] as LookupResult }));
    await settle(options, `${options.pass}:confirm:${attempt}:${index}`, outcomes);
  }
  return null;
}

async function suspectsOf(options: ConfirmationOptions, candidates: ReadonlySet<string>): Promise<string[]> {
  if (options.provider.suspects === undefined) return [];
  const suspects = await options.provider.suspects({
    seenIds: options.seenIds ?? new Set(),
    progress: options.progress ?? {},
    signal: options.signal ?? new AbortController().signal,
  });
  return [...new Set(suspects)].filter((assetId) => !candidates.has(assetId));
}

async function settle(options: ConfirmationOptions, pageKey: string, outcomes: Array<{ assetId: string; result: LookupResult }>): Promise<void> {
  const { provider, runId } = options;
  const now = options.clock();
  const records: CatalogRecord[] = [];
  const quarantined: QuarantinedRecord[] = [];
  const stillThere: string[] = [];
  const gone: string[] = [];
  const trashed: Array<{ assetId: string; at: Date }> = [];
  for (const { assetId, result } of outcomes) {
    if (result.state === 'gone') {
      gone.push(assetId);
      continue;
    }
    stillThere.push(assetId);
    if (result.item.ok) records.push(result.item.record);
    else quarantined.push({ assetId, reason: result.item.reason, raw: result.item.raw });
    if (result.state === 'trashed') trashed.push({ assetId, at: result.trashedAt });
  }
  await committingRequests(options.requests, (takeRequests) =>
    withTransaction(options.pool, async (client) => {
      await setChangeContext(client, { source: 'sync', at: now, syncRunId: runId });
      const db = createDb(client);
      let newlyTrashed = 0;
      for (const item of trashed) if (await markTrashed(client, provider.name, item.assetId, item.at)) newlyTrashed += 1;
      const counts = await upsertRecords(client, provider.name, records, now);
      const removed = await recordGone(client, provider.name, gone, now);
      const newlyQuarantined = await insertQuarantined(db, provider.name, runId, quarantined);
      await insertPages(db, runId, [{ pageKey, assetIds: stillThere }]);
      await incrementRun(db, runId, { ...counts, removed, trashed: newlyTrashed, quarantined: newlyQuarantined, requests: takeRequests() });
    }),
  );
}
