/**
 * The worker's state as gauges, re-read whole from Postgres and BullMQ at every scrape (src/admin/metrics.ts builds
 * the registry and the shared sources). Counts by state list every known state, zeros included, so an alert can
 * take the difference with an earlier value from the first failure on, not only from the second.
 */
import { count, isNull } from 'drizzle-orm';
import { Gauge, type Registry } from 'prom-client';
import type { CatalogReport } from '../db/catalog-report.repository.ts';
import type { Db } from '../db/client.ts';
import { ACTION_STATES, RUN_STATES } from '../db/retention.repository.ts';
import { bulkItems, dagActionRuns, notificationEvents, retentionActions, retentionRuns, syncRuns } from '../db/schema.ts';
import { DAG_OUTCOMES } from '../domain/dag-poll-policy.ts';
import { QUEUE_NAMES } from '../jobs/job-definitions.ts';

export const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'] as const;

/** One gauge value and its labels. */
type Sample = [labels: Record<string, string>, value: number];

type JobCounts = Record<string, number>;

export interface StateSources {
  db: Db;
  /** the catalog summary, read once per scrape */
  catalog: () => Promise<CatalogReport>;
  /** BullMQ's job counts per queue (QUEUE_NAMES order) and JOB_STATES, read once per scrape */
  queueCounts: () => Promise<JobCounts[]>;
  providerNames: readonly string[];
  /** `start` only: its schedules, checked against Redis (skipped while Redis is down) */
  missingSchedules?: () => Promise<number>;
  /** `start` only: the longest gap each enabled provider's sync schedule allows, in seconds; asked at each scrape */
  syncScheduleIntervals?: () => ReadonlyMap<string, number>;
}

/** Every key of `keys` with its count from `rows`, 0 when it has no row; rows of other keys are kept too. */
function withZeros(keys: readonly string[], rows: ReadonlyArray<{ key: string; n: number }>): Array<[string, number]> {
  const counts = new Map<string, number>(keys.map((key) => [key, 0]));
  for (const row of rows) counts.set(row.key, row.n);
  return [...counts];
}

export function registerStateGauges(registry: Registry, sources: StateSources): void {
  const { db } = sources;
  /**
   * A gauge re-read whole at every scrape: its samples replace the last ones. A source that does not answer
   * leaves it empty for this scrape instead of failing the whole scrape; asset_worker_metrics_source_up reports
   * (and logs) the failure once.
   */
  const scrapedGauge = (name: string, help: string, labelNames: string[], read: () => Promise<Sample[]>) =>
    new Gauge({
      name,
      help,
      labelNames,
      registers: [registry],
      async collect() {
        try {
          const samples = await read();
          this.reset();
          for (const [labels, value] of samples) this.set(labels, value);
        } catch {
          this.reset();
        }
      },
    });

  scrapedGauge('asset_worker_queue_jobs', 'BullMQ jobs per queue and state', ['queue', 'state'], async () => {
    const counts = await sources.queueCounts();
    return QUEUE_NAMES.flatMap((queue, i) => JOB_STATES.map((state): Sample => [{ queue, state }, counts[i]?.[state] ?? 0]));
  });

  scrapedGauge(
    'asset_worker_catalog_assets',
    'Catalog assets per provider: live (present at the provider), trashed (live, in the trash bin), removed',
    ['provider', 'presence'],
    async () =>
      (await sources.catalog()).providers.flatMap((p): Sample[] => [
        [{ provider: p.provider, presence: 'live' }, p.live],
        [{ provider: p.provider, presence: 'trashed' }, p.trashed],
        [{ provider: p.provider, presence: 'removed' }, p.removed],
      ]),
  );

  scrapedGauge('asset_worker_quarantined_records', 'Malformed provider records set aside instead of entering the catalog', ['provider'], async () =>
    (await sources.catalog()).providers.map((p): Sample => [{ provider: p.provider }, p.quarantined]),
  );

  scrapedGauge(
    'asset_worker_last_complete_sync_age_seconds',
    'Seconds since the last complete sync of a provider ended (absent: never)',
    ['provider'],
    async () =>
      (await sources.catalog()).providers.flatMap((p): Sample[] =>
        p.lastCompleteSync === null ? [] : [[{ provider: p.provider }, p.lastCompleteSync.ageSeconds]],
      ),
  );

  const intervals = sources.syncScheduleIntervals;
  if (intervals !== undefined) {
    // from the configuration: no source to read, so it is there even while Postgres and Redis are not
    new Gauge({
      name: 'asset_worker_sync_schedule_interval_seconds',
      help: "Longest gap between two runs of an enabled provider's sync schedule (SYNC_CRON in SCHEDULE_TZ), in seconds",
      labelNames: ['provider'],
      registers: [registry],
      collect() {
        for (const [provider, seconds] of intervals()) this.set({ provider }, seconds);
      },
    });
  }

  scrapedGauge(
    'asset_worker_last_sync_partial',
    'Whether the latest finished sync of a provider was partial (its listing not trusted): 1 yes, 0 no',
    ['provider'],
    async () =>
      (await sources.catalog()).providers.flatMap((p): Sample[] =>
        p.lastFinishedSync === null ? [] : [[{ provider: p.provider }, p.lastFinishedSync.partial ? 1 : 0]],
      ),
  );

  scrapedGauge('asset_worker_sync_runs', 'Sync runs per provider and outcome (running, complete, partial, failed)', ['provider', 'state'], async () => {
    const rows = await db.select({ provider: syncRuns.provider, state: syncRuns.state, n: count() }).from(syncRuns).groupBy(syncRuns.provider, syncRuns.state);
    return rows.map((row): Sample => [{ provider: row.provider, state: row.state }, row.n]);
  });

  scrapedGauge(
    'asset_worker_retention_actions',
    'Retention actions per provider and state (planned, in_flight, applied, failed, skipped); history.prune lowers it',
    ['provider', 'state'],
    async () => {
      const rows = await db
        .select({ provider: retentionActions.provider, state: retentionActions.state, n: count() })
        .from(retentionActions)
        .groupBy(retentionActions.provider, retentionActions.state);
      const providers = new Set([...sources.providerNames, ...rows.map((row) => row.provider)]);
      return [...providers].flatMap((provider) =>
        withZeros(
          ACTION_STATES,
          rows.filter((row) => row.provider === provider).map((row) => ({ key: row.state, n: row.n })),
        ).map(([state, n]): Sample => [{ provider, state }, n]),
      );
    },
  );

  scrapedGauge(
    'asset_worker_retention_runs',
    'Retention runs (plans, applies, undos) per state (planned, awaiting_approval, expired, applying, done, refused, failed); history.prune lowers it',
    ['state'],
    async () => {
      const rows = await db.select({ key: retentionRuns.state, n: count() }).from(retentionRuns).groupBy(retentionRuns.state);
      return withZeros(RUN_STATES, rows).map(([state, n]): Sample => [{ state }, n]);
    },
  );

  scrapedGauge(
    'asset_worker_dag_runs',
    'Media Pocket DAG action runs per outcome (starting, running, succeeded, failed, timed_out); history.prune lowers it',
    ['outcome'],
    async () => {
      const rows = await db.select({ key: dagActionRuns.outcome, n: count() }).from(dagActionRuns).groupBy(dagActionRuns.outcome);
      return withZeros(DAG_OUTCOMES, rows).map(([outcome, n]): Sample => [{ outcome }, n]);
    },
  );

  scrapedGauge('asset_worker_bulk_items', 'Items of bulk operations per state (pending, in_flight, done, failed, skipped)', ['state'], async () => {
    const rows = await db.select({ state: bulkItems.state, n: count() }).from(bulkItems).groupBy(bulkItems.state);
    return rows.map((row): Sample => [{ state: row.state }, row.n]);
  });

  scrapedGauge('asset_worker_notification_events_undelivered', 'Notification events the webhook receiver has not accepted yet', [], async () => {
    const [row] = await db.select({ n: count() }).from(notificationEvents).where(isNull(notificationEvents.deliveredAt));
    return [[{}, row?.n ?? 0]];
  });

  const missingSchedules = sources.missingSchedules;
  if (missingSchedules !== undefined) {
    scrapedGauge(
      'asset_worker_schedules_missing',
      'Configured schedules that have no job scheduler in Redis (e.g. after Redis came back empty); the worker restores them at its next check',
      [],
      async (): Promise<Sample[]> => [[{}, await missingSchedules()]],
    );
  }
}
