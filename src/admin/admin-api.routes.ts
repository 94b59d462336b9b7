/**
 * JSON admin endpoints, for an operator with the token: the catalog summary, recent sync runs, the schedules.
 */
import { desc, eq } from 'drizzle-orm';
import type { FastifyInstance } from 'fastify';
import { buildCatalogReport } from '../db/catalog-report.repository.ts';
import type { Db } from '../db/client.ts';
import { syncRuns } from '../db/schema.ts';
import { QUEUE_NAMES } from '../jobs/job-definitions.ts';
import type { Queues } from '../jobs/queues.ts';

export interface AdminApiDeps {
  db: Db;
  queues: Queues;
  /** the registered providers' names */
  providerNames: readonly string[];
}

const MAX_RUNS = 200;

export function registerAdminApiRoutes(app: FastifyInstance, deps: AdminApiDeps): void {
  const { providerNames } = deps;
  app.get('/admin/report', () => buildCatalogReport(deps.db, providerNames));

  app.get('/admin/sync-runs', async (request, reply) => {
    const query = request.query as { provider?: string; limit?: string };
    const limit = Math.min(Math.max(Number(query.limit ?? 50) || 50, 1), MAX_RUNS);
    if (query.provider !== undefined && !providerNames.includes(query.provider)) {
      return reply.code(400).send({ error: `unknown provider "${query.provider}"` });
    }
    const runs = await deps.db
      .select()
      .from(syncRuns)
      .where(query.provider === undefined ? undefined : eq(syncRuns.provider, query.provider))
      .orderBy(desc(syncRuns.id))
      .limit(limit);
    return { runs };
  });

  app.get('/admin/schedules', async () => {
    const perQueue = await Promise.all(QUEUE_NAMES.map((queue) => deps.queues[queue].getJobSchedulers()));
    return {
      schedules: perQueue.flatMap((schedulers, i) =>
        schedulers.map((s) => ({
          queue: QUEUE_NAMES[i],
          id: s.key,
          job: s.name,
          pattern: s.pattern ?? null,
          every: s.every ?? null,
          tz: s.tz ?? null,
          next: s.next === undefined ? null : new Date(s.next).toISOString(),
        })),
      ),
    };
  });
}
