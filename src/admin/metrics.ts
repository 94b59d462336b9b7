/**
 * Prometheus metrics: the process defaults plus the worker's state, read from Postgres and BullMQ when scraped
 * (so every replica reports the same truth and nothing is kept in memory), and job outcomes counted as they happen.
 */
import { count, isNull } from 'drizzle-orm';
import type { Worker } from 'bullmq';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { buildCatalogReport, type CatalogReport } from '../db/catalog-report.repository.ts';
import type { Db } from '../db/client.ts';
import { bulkItems, dagActionRuns, notificationEvents, retentionActions, syncRuns } from '../db/schema.ts';
import { errorMessage } from '../errors.ts';
import { DEPENDENCIES, type Dependency, type DependencyHealth } from '../health/dependency-health.ts';
import { QUEUE_NAMES } from '../jobs/job-definitions.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import type { ScheduleCheck } from '../schedulers/schedule-reconciler.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';

const JOB_STATES = ['waiting', 'active', 'delayed', 'prioritized', 'waiting-children', 'paused', 'completed', 'failed'] as const;

/** One gauge value and its labels. */
type Sample = [labels: Record<string, string>, value: number];

export interface MetricsDeps {
  db: Db;
  queues: Queues;
  logger: Logger;
  /** the configured schedules, checked against Redis at each scrape (`start` only) */
  schedules?: ScheduleCheck;
  health: DependencyHealth;
  /** the registered providers' names (default: the built-in ones) */
  providerNames?: readonly string[];
}

export interface WorkerMetrics {
  readonly registry: Registry;
  /** counts the completed and failed job attempts of these workers */
  observeWorkers(workers: Iterable<Worker>): void;
}

/** Several gauges read the same catalog summary: one query round per scrape, not one per gauge. */
function oncePerScrape<T>(load: () => Promise<T>, ttlMs = 1_000): () => Promise<T> {
  let cached: { at: number; value: Promise<T> } | undefined;
  return () => {
    const now = Date.now();
    if (cached === undefined || now - cached.at > ttlMs) {
      const value = load();
      cached = { at: now, value };
      // a failed load is not reused by the next scrape
      value.catch(() => (cached = undefined));
    }
    return cached.value;
  };
}

export function createWorkerMetrics(deps: MetricsDeps): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  /**
   * A source known to be down is not read: a Redis command would wait in the reconnecting client's queue until
   * Redis is back, and the scrape with it.
   */
  const whileUp = <T>(dependency: Dependency, read: () => Promise<T>) => () =>
    deps.health.status(dependency).up ? read() : Promise.reject(new Error(`${dependency} is down`));
  const catalog = oncePerScrape<CatalogReport>(whileUp('postgres', () => buildCatalogReport(deps.db, deps.providerNames ?? builtinProviderRegistry.names)));
  const queueCounts = oncePerScrape(whileUp('redis', () => Promise.all(QUEUE_NAMES.map((queue) => deps.queues[queue].getJobCounts(...JOB_STATES)))));

  new Gauge({
    name: 'asset_worker_metrics_source_up',
    help: 'Whether this scrape could read the source (postgres, redis): 1 yes, 0 no',
    labelNames: ['source'],
    registers: [registry],
    async collect() {
      const [postgres, redis] = await Promise.allSettled([catalog(), queueCounts()]);
      for (const [source, result] of [['postgres', postgres], ['redis', redis]] as const) {
        this.set({ source }, result.status === 'fulfilled' ? 1 : 0);
        // during an outage the dependency's own "down" line has said it: not one more line per scrape
        if (result.status === 'rejected' && deps.health.status(source).up) {
          deps.logger.warn({ source, error: errorMessage(result.reason) }, 'metrics: could not read a source');
        }
      }
    },
  });

  new Gauge({
    name: 'asset_worker_dependency_up',
    help: "Whether this process sees the dependency (postgres, redis) up: 1 yes, 0 no; the state its connections' errors and probes keep",
    labelNames: ['dependency'],
    registers: [registry],
    collect() {
      for (const dependency of DEPENDENCIES) this.set({ dependency }, deps.health.status(dependency).up ? 1 : 0);
    },
  });

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
    const counts = await queueCounts();
    return QUEUE_NAMES.flatMap((queue, i) => JOB_STATES.map((state): Sample => [{ queue, state }, counts[i]?.[state] ?? 0]));
  });

  scrapedGauge(
    'asset_worker_catalog_assets',
    'Catalog assets per provider: live (present at the provider), trashed (live, in the trash bin), removed',
    ['provider', 'presence'],
    async () =>
      (await catalog()).providers.flatMap((p): Sample[] => [
        [{ provider: p.provider, presence: 'live' }, p.live],
        [{ provider: p.provider, presence: 'trashed' }, p.trashed],
        [{ provider: p.provider, presence: 'removed' }, p.removed],
      ]),
  );

  scrapedGauge('asset_worker_quarantined_records', 'Malformed provider records set aside instead of entering the catalog', ['provider'], async () =>
    (await catalog()).providers.map((p): Sample => [{ provider: p.provider }, p.quarantined]),
  );

  scrapedGauge(
    'asset_worker_last_complete_sync_age_seconds',
    'Seconds since the last complete sync of a provider ended (absent: never)',
    ['provider'],
    async () =>
      (await catalog()).providers.flatMap((p): Sample[] => (p.lastCompleteSync === null ? [] : [[{ provider: p.provider }, p.lastCompleteSync.ageSeconds]])),
  );

  scrapedGauge(
    'asset_worker_last_sync_partial',
    'Whether the latest finished sync of a provider was partial (its listing not trusted): 1 yes, 0 no',
    ['provider'],
    async () =>
      (await catalog()).providers.flatMap((p): Sample[] =>
        p.lastFinishedSync === null ? [] : [[{ provider: p.provider }, p.lastFinishedSync.partial ? 1 : 0]],
      ),
  );

  scrapedGauge('asset_worker_sync_runs', 'Sync runs per provider and outcome (running, complete, partial, failed)', ['provider', 'state'], async () => {
    const rows = await deps.db
      .select({ provider: syncRuns.provider, state: syncRuns.state, n: count() })
      .from(syncRuns)
      .groupBy(syncRuns.provider, syncRuns.state);
    return rows.map((row): Sample => [{ provider: row.provider, state: row.state }, row.n]);
  });

  scrapedGauge(
    'asset_worker_retention_actions',
    'Retention actions per provider and state (planned, in_flight, applied, failed, skipped)',
    ['provider', 'state'],
    async () => {
      const rows = await deps.db
        .select({ provider: retentionActions.provider, state: retentionActions.state, n: count() })
        .from(retentionActions)
        .groupBy(retentionActions.provider, retentionActions.state);
      return rows.map((row): Sample => [{ provider: row.provider, state: row.state }, row.n]);
    },
  );

  scrapedGauge('asset_worker_dag_runs', 'Media Pocket DAG action runs per outcome (starting, running, succeeded, failed, timed_out)', ['outcome'], async () => {
    const rows = await deps.db.select({ outcome: dagActionRuns.outcome, n: count() }).from(dagActionRuns).groupBy(dagActionRuns.outcome);
    return rows.map((row): Sample => [{ outcome: row.outcome }, row.n]);
  });

  scrapedGauge('asset_worker_bulk_items', 'Items of bulk operations per state (pending, in_flight, done, failed, skipped)', ['state'], async () => {
    const rows = await deps.db.select({ state: bulkItems.state, n: count() }).from(bulkItems).groupBy(bulkItems.state);
    return rows.map((row): Sample => [{ state: row.state }, row.n]);
  });

  scrapedGauge('asset_worker_notification_events_undelivered', 'Notification events the webhook receiver has not accepted yet', [], async () => {
    const [row] = await deps.db.select({ n: count() }).from(notificationEvents).where(isNull(notificationEvents.deliveredAt));
    return [[{}, row?.n ?? 0]];
  });

  const schedules = deps.schedules;
  if (schedules !== undefined) {
    scrapedGauge(
      'asset_worker_schedules_missing',
      'Configured schedules that have no job scheduler in Redis (e.g. after Redis came back empty); the worker restores them at its next check',
      [],
      whileUp('redis', async (): Promise<Sample[]> => [[{}, (await schedules.findMissing()).length]]),
    );
  }

  const jobsFinished = new Counter({
    name: 'asset_worker_job_attempts_total',
    help: 'Job attempts this process ended, per queue, job and outcome: completed, or failed (retried later or not); a parked job is neither',
    labelNames: ['queue', 'job', 'outcome'],
    registers: [registry],
  });

  return {
    registry,
    observeWorkers(workers) {
      for (const worker of workers) {
        worker.on('completed', (job) => jobsFinished.inc({ queue: worker.name, job: job.name, outcome: 'completed' }));
        worker.on('failed', (job) => jobsFinished.inc({ queue: worker.name, job: job?.name ?? 'unknown', outcome: 'failed' }));
      }
    },
  };
}
