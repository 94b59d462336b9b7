import { and, asc, desc, eq, gt, inArray, sql } from 'drizzle-orm';
import type { ProviderName } from '../domain/provider-facts.ts';
import { CompactIdSet } from '../util/compact-id-set.ts';
import type { Db } from './client.ts';
import { syncPages, syncRuns } from './schema.ts';

export type SyncRun = typeof syncRuns.$inferSelect;
export type SyncRunState = 'running' | 'complete' | 'partial' | 'failed';

export async function findRunningRun(db: Db, provider: ProviderName): Promise<SyncRun | undefined> {
  const [run] = await db.select().from(syncRuns).where(and(eq(syncRuns.provider, provider), eq(syncRuns.state, 'running')));
  return run;
}

export async function createRun(db: Db, provider: ProviderName, now: Date): Promise<SyncRun> {
  const [run] = await db.insert(syncRuns).values({ provider, startedAt: now }).returning();
  if (run === undefined) throw new Error('insert into sync_runs returned no row');
  return run;
}

export async function getRun(db: Db, runId: number): Promise<SyncRun | undefined> {
  const [run] = await db.select().from(syncRuns).where(eq(syncRuns.id, runId));
  return run;
}

/** The latest run that ended (complete or partial) after `since`. */
export async function findFinishedRunSince(db: Db, provider: ProviderName, since: Date): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.provider, provider), inArray(syncRuns.state, ['complete', 'partial']), sql`${syncRuns.finishedAt} >= ${since}`))
    .orderBy(desc(syncRuns.id))
    .limit(1);
  return run;
}

/** The latest run that ended, complete or partial: what retention checks for freshness and completeness. */
export async function findLastFinishedRun(db: Db, provider: ProviderName): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.provider, provider), inArray(syncRuns.state, ['complete', 'partial'])))
    .orderBy(desc(syncRuns.id))
    .limit(1);
  return run;
}

export async function findLastCompleteRun(db: Db, provider: ProviderName): Promise<SyncRun | undefined> {
  const [run] = await db
    .select()
    .from(syncRuns)
    .where(and(eq(syncRuns.provider, provider), eq(syncRuns.state, 'complete')))
    .orderBy(desc(syncRuns.id))
    .limit(1);
  return run;
}

/**
 * The ids a run has listed so far (kept compact: a run holds them until it ends) and its committed page keys.
 * Read `pagesPerRead` pages at a time in key order, so resuming a large run never holds all its ids as strings.
 */
export async function loadSeenIds(db: Db, runId: number, pagesPerRead = 500): Promise<{ seen: CompactIdSet; pageKeys: Set<string> }> {
  const seen = new CompactIdSet();
  const pageKeys = new Set<string>();
  let after: string | undefined;
  for (;;) {
    const rows = await db
      .select({ pageKey: syncPages.pageKey, assetIds: syncPages.assetIds })
      .from(syncPages)
      .where(after === undefined ? eq(syncPages.runId, runId) : and(eq(syncPages.runId, runId), gt(syncPages.pageKey, after)))
      .orderBy(asc(syncPages.pageKey))
      .limit(pagesPerRead);
    for (const row of rows) {
      pageKeys.add(row.pageKey);
      for (const id of row.assetIds) seen.add(id);
    }
    const last = rows[rows.length - 1];
    if (last === undefined || rows.length < pagesPerRead) return { seen, pageKeys };
    after = last.pageKey;
  }
}

export async function updateRun(db: Db, runId: number, patch: Partial<Omit<SyncRun, 'id' | 'provider'>>): Promise<void> {
  await db.update(syncRuns).set(patch).where(eq(syncRuns.id, runId));
}

export interface RunIncrements {
  pages?: number;
  /** distinct assets newly listed by this run */
  seen?: number;
  inserted?: number;
  updated?: number;
  removed?: number;
  trashed?: number;
  quarantined?: number;
  /** HTTP requests sent to the provider since the last commit */
  requests?: number;
}

/** Adds to a run's counters in SQL, so counts stay right whoever commits; `set` updates other columns in the same statement. */
export async function incrementRun(
  db: Db,
  runId: number,
  increments: RunIncrements,
  set: Partial<Omit<SyncRun, 'id' | 'provider' | keyof RunIncrements>> = {},
): Promise<void> {
  await db
    .update(syncRuns)
    .set({
      pages: sql`${syncRuns.pages} + ${increments.pages ?? 0}`,
      seen: sql`${syncRuns.seen} + ${increments.seen ?? 0}`,
      inserted: sql`${syncRuns.inserted} + ${increments.inserted ?? 0}`,
      updated: sql`${syncRuns.updated} + ${increments.updated ?? 0}`,
      removed: sql`${syncRuns.removed} + ${increments.removed ?? 0}`,
      trashed: sql`${syncRuns.trashed} + ${increments.trashed ?? 0}`,
      quarantined: sql`${syncRuns.quarantined} + ${increments.quarantined ?? 0}`,
      requests: sql`${syncRuns.requests} + ${increments.requests ?? 0}`,
      ...set,
    })
    .where(eq(syncRuns.id, runId));
}

/** One JSON parameter for the whole batch: far cheaper than a bound array per page. */
export async function insertPages(db: Db, runId: number, pages: Array<{ pageKey: string; assetIds: string[] }>): Promise<void> {
  if (pages.length === 0) return;
  const json = JSON.stringify(pages.map((page) => ({ key: page.pageKey, ids: page.assetIds })));
  await db.execute(sql`
    INSERT INTO ${syncPages} (run_id, page_key, asset_ids)
    SELECT ${runId}, p.key, ARRAY(SELECT jsonb_array_elements_text(p.ids))
    FROM jsonb_to_recordset(${json}::jsonb) AS p(key text, ids jsonb)
    ON CONFLICT DO NOTHING`);
}

/** Seen-sets are only needed while a run is open. */
export async function pruneFinishedRunPages(db: Db, provider: ProviderName): Promise<void> {
  await db.execute(sql`
    DELETE FROM ${syncPages} WHERE ${syncPages.runId} IN (
      SELECT ${syncRuns.id} FROM ${syncRuns} WHERE ${syncRuns.provider} = ${provider} AND ${syncRuns.state} <> 'running'
    )`);
}
