/**
 * The catalog summary behind `report`, the admin JSON endpoint and the demo: per provider, live assets by status
 * and kind, removed, trashed, quarantined, and the state of its syncs. A few grouped queries, whatever the size.
 */
import { count, isNotNull, isNull, sql } from 'drizzle-orm';
import type { ProviderName } from '../domain/provider-facts.ts';
import type { Db } from './client.ts';
import { assets, quarantine, type syncRuns } from './schema.ts';
import { findLastCompleteRun, findLastFinishedRun, findRunningRun } from './sync-runs.repository.ts';

/** How a null status or kind is shown: the provider sent none (or a kind the worker does not know). */
export const UNKNOWN = 'unknown';

export interface SyncRunBrief {
  runId: number;
  state: string;
  startedAt: string;
  finishedAt: string | null;
}

export interface ProviderReport {
  provider: ProviderName;
  /** every asset the catalog has ever seen */
  total: number;
  /** present at the provider (removed_at null), trashed ones included */
  live: number;
  /** confirmed gone from the provider */
  removed: number;
  /** live but in the provider's trash bin (Media Pocket) */
  trashed: number;
  /** malformed records set aside, never in the catalog */
  quarantined: number;
  /** live assets by the provider's status, verbatim */
  byStatus: Record<string, number>;
  /** live assets by kind */
  byKind: Record<string, number>;
  lastCompleteSync: (SyncRunBrief & { ageSeconds: number }) | null;
  /** the latest run that ended; `partial` means its listing was not trusted and nothing was marked removed */
  lastFinishedSync: (SyncRunBrief & { partial: boolean; partialReason: string | null }) | null;
  /** a run still open (in progress, or stopped and waiting to be resumed) */
  openSync: (SyncRunBrief & { pages: number; seen: number }) | null;
}

export interface CatalogReport {
  generatedAt: string;
  providers: ProviderReport[];
}

type Counts = Map<ProviderName, Record<string, number>>;

function emptyProvider(provider: ProviderName): ProviderReport {
  return {
    provider,
    total: 0,
    live: 0,
    removed: 0,
    trashed: 0,
    quarantined: 0,
    byStatus: {},
    byKind: {},
    lastCompleteSync: null,
    lastFinishedSync: null,
    openSync: null,
  };
}

/** Keys sorted, so the JSON output is stable from run to run. */
function sortedCounts(rows: Array<{ provider: string; key: string | null; n: number }>): Counts {
  const byProvider: Counts = new Map();
  const sorted = [...rows].sort((a, b) => (a.key ?? UNKNOWN).localeCompare(b.key ?? UNKNOWN));
  for (const row of sorted) {
    const provider = row.provider as ProviderName;
    const counts = byProvider.get(provider) ?? {};
    const key = row.key ?? UNKNOWN;
    counts[key] = (counts[key] ?? 0) + row.n;
    byProvider.set(provider, counts);
  }
  return byProvider;
}

function brief(run: typeof syncRuns.$inferSelect): SyncRunBrief {
  return { runId: run.id, state: run.state, startedAt: run.startedAt.toISOString(), finishedAt: run.finishedAt?.toISOString() ?? null };
}

/** `providers`: every registered provider's name, reported even while its catalog is empty. */
export async function buildCatalogReport(db: Db, providers: readonly ProviderName[], now: Date = new Date()): Promise<CatalogReport> {
  const live = isNull(assets.removedAt);
  const [totals, byStatus, byKind, quarantined] = await Promise.all([
    db
      .select({
        provider: assets.provider,
        total: count(),
        live: sql<number>`count(*) filter (where ${assets.removedAt} is null)`.mapWith(Number),
        removed: count(assets.removedAt),
        trashed: sql<number>`count(*) filter (where ${assets.removedAt} is null and ${assets.trashedAt} is not null)`.mapWith(Number),
      })
      .from(assets)
      .groupBy(assets.provider),
    db.select({ provider: assets.provider, key: assets.status, n: count() }).from(assets).where(live).groupBy(assets.provider, assets.status),
    db.select({ provider: assets.provider, key: assets.kind, n: count() }).from(assets).where(live).groupBy(assets.provider, assets.kind),
    db.select({ provider: quarantine.provider, n: count() }).from(quarantine).where(isNotNull(quarantine.provider)).groupBy(quarantine.provider),
  ]);
  const statusCounts = sortedCounts(byStatus);
  const kindCounts = sortedCounts(byKind);

  const reports = await Promise.all(
    providers.map(async (provider) => {
      const report = emptyProvider(provider);
      const total = totals.find((row) => row.provider === provider);
      if (total !== undefined) {
        report.total = total.total;
        report.live = total.live;
        report.removed = total.removed;
        report.trashed = total.trashed;
      }
      report.quarantined = quarantined.find((row) => row.provider === provider)?.n ?? 0;
      report.byStatus = statusCounts.get(provider) ?? {};
      report.byKind = kindCounts.get(provider) ?? {};
      const [complete, finished, open] = await Promise.all([
        findLastCompleteRun(db, provider),
        findLastFinishedRun(db, provider),
        findRunningRun(db, provider),
      ]);
      if (complete?.finishedAt != null) {
        const ageSeconds = Math.max(0, Math.round((now.getTime() - complete.finishedAt.getTime()) / 1000));
        report.lastCompleteSync = { ...brief(complete), ageSeconds };
      }
      if (finished !== undefined) {
        report.lastFinishedSync = { ...brief(finished), partial: finished.state === 'partial', partialReason: finished.partialReason };
      }
      if (open !== undefined) report.openSync = { ...brief(open), pages: open.pages, seen: open.seen };
      return report;
    }),
  );
  return { generatedAt: now.toISOString(), providers: reports };
}
