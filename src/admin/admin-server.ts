/**
 * The admin HTTP server of `start`: health and readiness for orchestrators, Prometheus metrics, and (only when
 * ADMIN_TOKEN is set, and only with it) the queue dashboard, the catalog report page and JSON admin endpoints.
 */
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import type { Db } from '../db/client.ts';
import { errorMessage } from '../errors.ts';
import { DEPENDENCIES, type DependencyHealth } from '../health/dependency-health.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import { builtinProviderRegistry } from '../providers/registry.ts';
import type { ScheduleCheck } from '../schedulers/schedule-reconciler.ts';
import type { Secret } from '../secret.ts';
import { registerAdminApiRoutes } from './admin-api.routes.ts';
import { registerAdminRetentionRoutes, type RetentionApprover } from './admin-retention.routes.ts';
import { createAdminAuth } from './admin-auth.ts';
import { registerCatalogReportRoutes } from './catalog-report.routes.ts';
import type { WorkerMetrics } from './metrics.ts';
import { DASHBOARD_PATH, queueDashboardPlugin } from './queue-dashboard.ts';

/** A schedule check that hangs is as bad as a failing one: readiness answers within this. */
const READINESS_TIMEOUT_MS = 2_000;

export interface AdminServerDeps {
  db: Db;
  /** readiness probes Postgres and Redis through it (each probe answers within its timeout) */
  health: DependencyHealth;
  queues: Queues;
  queuePrefix: string;
  metrics: WorkerMetrics;
  logger: Logger;
  token: Secret | undefined;
  /** the configured schedules (`start`): readiness fails while one is missing from Redis */
  schedules?: ScheduleCheck;
  /** the registered providers' names (default: the built-in ones) */
  providerNames?: readonly string[];
  /** HISTORY_KEEP_DAYS, for the catalog report page's note on pruned history (none without it) */
  historyKeepDays?: number;
  /** approves and carries out a plan awaiting approval (POST /admin/retention/runs/:id/approve) */
  retentionApprover?: RetentionApprover;
}

export interface AdminServer {
  readonly app: FastifyInstance;
  /** e.g. http://127.0.0.1:9400 */
  readonly url: string;
  close(): Promise<void>;
}

function withTimeout<T>(work: Promise<T>, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not answer within ${READINESS_TIMEOUT_MS} ms`)), READINESS_TIMEOUT_MS);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/** 'ok', or which schedules are missing and why the last attempt to restore them failed. */
async function scheduleReadiness(check: ScheduleCheck): Promise<string> {
  let missing: string[];
  try {
    missing = await withTimeout(check.findMissing(), 'redis (schedules)');
  } catch (error) {
    return `could not be checked: ${errorMessage(error)}`;
  }
  if (missing.length === 0) return 'ok';
  const failure = check.lastFailure();
  return `missing: ${missing.join(', ')}${failure === undefined ? '' : `; restoring them failed: ${failure}`}`;
}

export function buildAdminApp(deps: AdminServerDeps): FastifyInstance {
  // fastify's own request log would print URLs, and `?token=` is in a URL: requests are not logged
  const app = Fastify({ logger: false });
  app.setErrorHandler((error: FastifyError, request, reply) => {
    // the route's pattern, not the raw URL: a URL may carry ?token=
    deps.logger.warn({ err: error, route: request.routeOptions.url, method: request.method }, 'admin request failed');
    const status = error.statusCode ?? 500;
    return reply.code(status).send({ error: status < 500 ? error.message : 'internal error' });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));

  app.get('/readyz', async (_request, reply) => {
    // a live probe of each dependency, which also moves its up/down state (whose changes are what gets logged, not each request)
    const [statuses, schedules] = await Promise.all([
      Promise.all(DEPENDENCIES.map((dependency) => deps.health.check(dependency))),
      deps.schedules === undefined ? undefined : scheduleReadiness(deps.schedules),
    ]);
    const named = Object.fromEntries(
      DEPENDENCIES.map((dependency, i) => [dependency, statuses[i]?.up === true ? 'ok' : `down: ${statuses[i]?.error ?? 'unknown'}`]),
    );
    const ready = statuses.every((status) => status.up) && (schedules === undefined || schedules === 'ok');
    return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', ...named, schedules });
  });

  app.get('/metrics', async (_request, reply) => {
    const body = await deps.metrics.registry.metrics();
    return reply.header('content-type', deps.metrics.registry.contentType).send(body);
  });

  const token = deps.token;
  if (token !== undefined) {
    // everything in this scope requires the token; without a token the scope does not exist (404)
    const providerNames = deps.providerNames ?? builtinProviderRegistry.names;
    void app.register(async (scope) => {
      scope.addHook('onRequest', createAdminAuth(token));
      registerAdminApiRoutes(scope, { db: deps.db, queues: deps.queues, providerNames });
      registerAdminRetentionRoutes(scope, { db: deps.db, approve: deps.retentionApprover });
      registerCatalogReportRoutes(scope, { db: deps.db, providerNames, historyKeepDays: deps.historyKeepDays });
      await scope.register(queueDashboardPlugin(deps.queues, deps.queuePrefix), { prefix: DASHBOARD_PATH });
    });
  }
  return app;
}

export async function startAdminServer(deps: AdminServerDeps, port: number, host = '0.0.0.0'): Promise<AdminServer> {
  const app = buildAdminApp(deps);
  await app.listen({ port, host });
  const address = app.server.address();
  const boundPort = typeof address === 'object' && address !== null ? address.port : port;
  const shownHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
  return { app, url: `http://${shownHost}:${boundPort}`, close: () => app.close() };
}
