/**
 * `start`: the long-running worker. Builds the queues, registers the schedules (and keeps them registered: a Redis
 * that comes back empty gets them again), runs a worker per queue and the admin server, and on the stop signal
 * shuts down in the one order that loses nothing: stop restoring schedules → stop taking jobs → tell running
 * handlers to commit and park → wait for them (the workers' close) → admin server → queues.
 * The caller owns the AppContext (database pool, Redis connection) and closes it after `stopped` resolves.
 */
import type { AppContext } from './context.ts';
import { startAdminServer, type AdminServer } from '../admin/admin-server.ts';
import { createWorkerMetrics } from '../admin/metrics.ts';
import { DASHBOARD_PATH } from '../admin/queue-dashboard.ts';
import { runQueueWorkers, type QueueWorkers } from '../jobs/queue-workers.ts';
import { jobWorkerDeps } from './job-handlers/index.ts';
import { createRetentionApprover } from './retention-approver.ts';
import { QUEUE_NAMES, type QueueName } from '../jobs/job-definitions.ts';
import { createQueues, type Queues } from '../jobs/queues.ts';
import { registerSchedules } from '../schedulers/schedule-registration.ts';
import { startScheduleReconciler, type ScheduleReconciler } from '../schedulers/schedule-reconciler.ts';
import { describeSchedule, desiredSchedules, lazySyncScheduleIntervals, type AnyScheduleSpec } from '../schedulers/schedules.ts';

export interface RunWorkerOptions {
  /** aborting it stops the worker gracefully (the CLI aborts it on SIGTERM/SIGINT) */
  signal: AbortSignal;
  /** where the admin server's address is announced (stdout for `start`) */
  announce?: (line: string) => void;
  /** interface the admin server binds to (default all interfaces, as a container needs) */
  adminHost?: string;
  concurrency?: Partial<Record<QueueName, number>>;
}

export interface RunningWorker {
  readonly queues: Queues;
  readonly schedules: readonly AnyScheduleSpec[];
  readonly adminUrl: string;
  /** resolves once the worker has stopped after the signal; rejects if a step of the shutdown failed */
  readonly stopped: Promise<void>;
}

export async function runWorker(context: AppContext, options: RunWorkerOptions): Promise<RunningWorker> {
  const { config, logger } = context;
  // with notifications on, the notify queue is the context's (its outbox adds delivery jobs to it, and the context
  // closes it after them, so it is not closed here); the others are this worker's
  const shared = context.notifyQueue;
  const queues = createQueues(context.redis, config.queuePrefix, shared === undefined ? {} : { notify: shared });
  const ownQueues = Object.values(queues).filter((queue) => queue !== shared);
  // the queues share the context's Redis connection: their errors are that connection's, and feed its state (the
  // context's queue reports its own)
  for (const queue of ownQueues) {
    queue.on('error', (error) => context.health.reportFailure('redis', error, { message: 'queue error', fields: { queue: queue.name } }));
  }
  let worker: QueueWorkers | undefined;
  let admin: AdminServer | undefined;
  let reconciler: ScheduleReconciler | undefined;

  const release = async (): Promise<void> => {
    await reconciler?.stop();
    await worker?.close();
    await admin?.close();
    await Promise.all(ownQueues.map((queue) => queue.close()));
  };
  const stop = async (): Promise<void> => {
    logger.info('stopping: no new jobs; running jobs finish or park where they can resume');
    await release();
    logger.info('worker stopped');
  };

  try {
    // refuses to boot, before any schedule is registered, unless every job of JOB_DEFINITIONS has exactly one handler
    // a replica without the webhook takes no delivery job: one that has it delivers them
    const workedQueues = config.notifyWebhook === undefined ? QUEUE_NAMES.filter((queue) => queue !== 'notify') : QUEUE_NAMES;
    worker = runQueueWorkers(jobWorkerDeps(context, queues), workedQueues, { concurrency: options.concurrency, stopReason: 'the worker is shutting down' });
    const schedules = desiredSchedules(config);
    const registration = await registerSchedules(queues, schedules, logger);
    reconciler = startScheduleReconciler({ queues, schedules, connection: context.redis, logger });
    const metrics = createWorkerMetrics({
      db: context.db,
      queues,
      logger,
      schedules: reconciler,
      health: context.health,
      providerNames: context.registry.names,
      // computed at the first scrape, not here: the look-ahead would hold up the boot by up to 1.5 s
      syncScheduleIntervals: lazySyncScheduleIntervals(schedules),
    });
    metrics.observeWorkers(worker.workers.workers.values());
    admin = await startAdminServer(
      {
        db: context.db,
        health: context.health,
        queues,
        queuePrefix: config.queuePrefix,
        metrics,
        logger,
        token: config.adminToken,
        schedules: reconciler,
        providerNames: context.registry.names,
        historyKeepDays: config.historyKeepDays,
        retentionApprover: createRetentionApprover(context, options.signal),
      },
      config.adminPort,
      options.adminHost,
    );
    const dashboard = config.adminToken === undefined ? 'off (set ADMIN_TOKEN)' : `${admin.url}${DASHBOARD_PATH}`;
    logger.info(
      {
        providers: [...context.providers.keys()],
        schedules: schedules.map(describeSchedule),
        removedSchedules: registration.removed,
        queuePrefix: config.queuePrefix,
        admin: admin.url,
        dashboard,
      },
      'worker started',
    );
    options.announce?.(`admin server listening on ${admin.url} (health /healthz, readiness /readyz, metrics /metrics, dashboard ${dashboard})`);

    const stopped = new Promise<void>((resolve, reject) => {
      const onStop = () => stop().then(resolve, reject);
      if (options.signal.aborted) onStop();
      else options.signal.addEventListener('abort', onStop, { once: true });
    });
    return { queues, schedules, adminUrl: admin.url, stopped };
  } catch (error) {
    // a failed boot releases what it had started, then reports the failure that stopped it
    await release().catch((stopError: unknown) => logger.error({ err: stopError }, 'releasing a failed boot failed too'));
    throw error;
  }
}
