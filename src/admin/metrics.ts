/**
 * Prometheus metrics: the process defaults plus the worker's state, read from Postgres and BullMQ when scraped
 * (so every replica reports the same truth and nothing is kept in memory), and job outcomes counted as they happen.
 * The gauges of that state are in state-gauges.ts; this file builds the registry and the sources they share.
 */
import type { Worker } from 'bullmq';
import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { buildCatalogReport, type CatalogReport } from '../db/catalog-report.repository.ts';
import type { Db } from '../db/client.ts';
import { errorMessage } from '../errors.ts';
import { DEPENDENCIES, type Dependency, type DependencyHealth } from '../health/dependency-health.ts';
import { QUEUE_NAMES } from '../jobs/job-definitions.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import type { ScheduleCheck } from '../schedulers/schedule-reconciler.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';
import { JOB_STATES, registerStateGauges } from './state-gauges.ts';

export interface MetricsDeps {
  db: Db;
  queues: Queues;
  logger: Logger;
  /** the configured schedules, checked against Redis at each scrape (`start` only) */
  schedules?: ScheduleCheck;
  health: DependencyHealth;
  /** the registered providers' names (default: the built-in ones) */
  providerNames?: readonly string[];
  /**
   * `start` only: the longest gap each enabled provider's sync schedule allows, in seconds, asked at each scrape
   * (lazySyncScheduleIntervals: computed at the first, not at boot)
   */
  syncScheduleIntervals?: () => ReadonlyMap<string, number>;
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

const PROM_CLIENT_GAUGES_NAMED_TOTAL = ['nodejs_active_handles_total', 'nodejs_active_requests_total', 'nodejs_active_resources_total'];

export function createWorkerMetrics(deps: MetricsDeps): WorkerMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  // Gauges named *_total break Prometheus's naming rules (`promtool check metrics` flags them), and each is the sum
  // of a gauge prom-client also exports by type (nodejs_active_handles{type} …): dropping them loses nothing.
  for (const name of PROM_CLIENT_GAUGES_NAMED_TOTAL) registry.removeSingleMetric(name);
  const providerNames = deps.providerNames ?? builtinProviderRegistry.names;

  /**
   * A source known to be down is not read: a Redis command would wait in the reconnecting client's queue until
   * Redis is back, and the scrape with it.
   */
  const whileUp = <T>(dependency: Dependency, read: () => Promise<T>) => () =>
    deps.health.status(dependency).up ? read() : Promise.reject(new Error(`${dependency} is down`));
  const catalog = oncePerScrape<CatalogReport>(whileUp('postgres', () => buildCatalogReport(deps.db, providerNames)));
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

  const schedules = deps.schedules;
  registerStateGauges(registry, {
    db: deps.db,
    catalog,
    queueCounts,
    providerNames,
    missingSchedules: schedules === undefined ? undefined : whileUp('redis', async () => (await schedules.findMissing()).length),
    syncScheduleIntervals: deps.syncScheduleIntervals,
  });

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
