/**
 * The scheduled retention: the `retention.apply` job run by a real BullMQ worker on Redis takes the same code
 * path as the command, logs one summary line per provider, and never acts twice, whether it is parked by a
 * shutdown and picked up by the next worker or fails an attempt and is retried.
 */
import type { Job } from 'bullmq';
import type { DestinationStream } from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { createJobHandlers } from '../src/app/job-handlers/index.ts';
import { createJobRegistry } from '../src/jobs/job-registry.ts';
import { closeQueues, createQueues, enqueue, type Queues } from '../src/jobs/queues.ts';
import { startWorkers, type WorkerSet } from '../src/jobs/workers.ts';
import { createLogger } from '../src/logger.ts';
import { applyRetention } from '../src/retention/retention-apply.ts';
import { loadRetentionRules } from '../src/retention/retention-rules.loader.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import {
  affogatoAging,
  callsAfterSuccess,
  expectedPlan,
  protectSome,
  rulesYaml,
  successfulCalls,
  syncAll,
  syncAndAge,
  writeRules,
} from './retention-fixtures.ts';

const DAY_MS = 86_400_000;

describe('the retention.apply job', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let queues: Queues;
  let env: Record<string, string>;
  const prefix = testQueuePrefix();
  const logLines: Array<{ msg?: string; level?: number }> = [];
  const capture: DestinationStream = { write: (line: string) => void logLines.push(JSON.parse(line) as { msg?: string }) };

  const startWorker = (shutdownSignal: AbortSignal): WorkerSet =>
    startWorkers({
      connection: context.redis,
      prefix,
      registry: createJobRegistry(createJobHandlers({ context, queues, shutdownSignal })),
      logger: context.logger,
      health: context.health,
      queues: ['retention'],
    });
  const finished = (job: Job) =>
    waitFor(async () => {
      const state = await queues.retention.getJob(job.id ?? '').then((current) => current?.getState());
      return state === 'completed' || state === 'failed' ? state : undefined;
    }, 50);
  const summaries = () => logLines.filter((line) => line.msg?.startsWith('retention ')).map((line) => line.msg ?? '');

  /** New assets the rules select, at Media Pocket and Roughy, and a sync that brings them into the catalog. */
  const addCandidates = async (count: number) => {
    const old = new Date(Date.now() - 400 * DAY_MS).toISOString();
    for (let i = 0; i < count; i += 1) {
      sim.mediapocket.add({ category: 'sample', tags: ['campaign-2023'], created_date: old, modification_date: old });
      sim.roughy.add({ state: 'failed', created_at: old });
    }
    await syncAll(context, ['mediapocket', 'roughy']);
    sim.stats.reset();
  };

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 1212, counts: { affogato: 200, mediapocket: 300, roughy: 300 } });
    protectSome(sim, 1);
    env = {
      ...workerEnv(sim, database.url, prefix, { RETENTION_RULES: writeRules(rulesYaml()).path, LOG_LEVEL: 'info' }),
      // slow enough to stop part-way through
      MEDIAPOCKET_RPS: '15',
      ROUGHY_RPS: '15',
    };
    context = contextFor(env, createLogger('info', capture));
    queues = createQueues(context.redis, prefix);
    await syncAndAge(context, sim);
  });
  afterAll(async () => {
    await closeQueues(queues);
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });
  beforeEach(() => {
    logLines.length = 0;
    sim.stats.reset();
  });

  it('applies the plan at every provider and logs one summary line per provider; the next run does nothing', async () => {
    const expected = expectedPlan(sim, affogatoAging(sim));
    const workers = startWorker(new AbortController().signal);
    try {
      expect(await finished(await enqueue(queues, 'retention.apply', {}))).toBe('completed');
      expect(successfulCalls(sim, 'affogato')).toEqual(new Map([...expected.affogato.keys()].map((id) => [id, 1])));
      expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map([...expected.mediapocket.keys()].map((id) => [id, 1])));
      expect(successfulCalls(sim, 'roughy')).toEqual(new Map([...expected.roughy.keys()].map((id) => [id, 1])));
      expect(summaries().sort()).toEqual([
        expect.stringMatching(new RegExp(`^retention affogato run #\\d+: planned ${expected.affogato.size}, applied ${expected.affogato.size}, failed 0, skipped 0, refused no$`)),
        expect.stringMatching(
          new RegExp(`^retention mediapocket run #\\d+: planned ${expected.mediapocket.size}, applied ${expected.mediapocket.size}, failed 0, skipped 1, refused no$`),
        ),
        expect.stringMatching(new RegExp(`^retention roughy run #\\d+: planned ${expected.roughy.size}, applied ${expected.roughy.size}, failed 0, skipped 0, refused no$`)),
      ]);

      logLines.length = 0;
      sim.stats.reset();
      expect(await finished(await enqueue(queues, 'retention.apply', {}))).toBe('completed');
      expect(sim.stats.destructiveCalls).toEqual([]);
      expect(summaries().every((line) => /planned 0, applied 0, failed 0/.test(line))).toBe(true);
      expect(summaries().length).toBe(3);
      // every run the schedule created says so
      const starters = await database.pool.query<{ started_by: string | null }>('SELECT DISTINCT started_by FROM retention_runs');
      expect(starters.rows).toEqual([{ started_by: 'schedule' }]);
    } finally {
      await workers.close();
    }
  });

  it('parks on shutdown and the next worker finishes the run without repeating an action', async () => {
    await addCandidates(25);
    const before = (await database.pool.query<{ id: number }>('SELECT coalesce(max(id), 0)::int AS id FROM retention_runs')).rows[0]?.id ?? 0;
    const shutdown = new AbortController();
    const first = startWorker(shutdown.signal);
    const job = await enqueue(queues, 'retention.apply', {});
    await waitFor(async () => {
      const { rows } = await database.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM retention_actions WHERE state = 'applied' AND run_id > $1", [before]);
      return (rows[0]?.n ?? 0) >= 10 ? true : undefined;
    }, 20);
    shutdown.abort(new DOMException('the worker is shutting down', 'AbortError'));
    await first.close();
    expect(await queues.retention.getJob(job.id ?? '').then((current) => current?.getState())).toBe('delayed');
    const unfinished = await database.pool.query("SELECT id FROM retention_runs WHERE mode = 'apply' AND state = 'applying'");
    expect(unfinished.rowCount).toBeGreaterThan(0);

    const second = startWorker(new AbortController().signal);
    try {
      expect(await finished(job)).toBe('completed');
    } finally {
      await second.close();
    }
    expect(summaries().some((line) => line.includes('(resumed an interrupted apply)'))).toBe(true);
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    expect(callsAfterSuccess(sim, 'roughy')).toEqual([]);
    expect(successfulCalls(sim, 'mediapocket').size).toBe(25);
    expect(successfulCalls(sim, 'roughy').size).toBe(25);
    expect([...successfulCalls(sim, 'mediapocket').values(), ...successfulCalls(sim, 'roughy').values()].every((n) => n === 1)).toBe(true);
    expect((await database.pool.query("SELECT 1 FROM retention_runs WHERE state = 'applying'")).rowCount).toBe(0);
  });

  it('is retried after a failed attempt and the retry finishes the run, acting once per asset', async () => {
    await addCandidates(10);
    // a run a crash left behind: stopped after its first wave, three of the rest claimed in flight
    const loaded = await loadRetentionRules(context.config, '/');
    const handle = context.providers.get('mediapocket');
    if (handle === undefined) throw new Error('mediapocket not enabled');
    const stop = new AbortController();
    await applyRetention({ pool: context.pool, logger: context.logger, signal: stop.signal, onProgress: () => stop.abort() }, loaded, [handle.provider]);
    await database.pool.query(
      "UPDATE retention_actions SET state = 'in_flight', attempts = 1 WHERE id IN (SELECT id FROM retention_actions WHERE provider = 'mediapocket' AND state = 'planned' ORDER BY id LIMIT 3)",
    );
    // Media Pocket is down: the in-flight actions cannot be verified, so the first attempt must fail
    sim.setFaults('mediapocket', { rate500: 1 });
    const workers = startWorker(new AbortController().signal);
    try {
      const job = await enqueue(queues, 'retention.apply', {}, { attempts: 3, backoff: { type: 'fixed', delay: 2_000 } });
      await waitFor(async () => ((await queues.retention.getJob(job.id ?? ''))?.attemptsMade ?? 0) >= 1 ? true : undefined, 50);
      sim.setFaults('mediapocket', undefined);
      expect(await finished(job)).toBe('completed');
      const done = await queues.retention.getJob(job.id ?? '');
      expect(done?.attemptsMade).toBe(2);
    } finally {
      await workers.close();
    }
    expect(sim.stats.destructiveCalls.filter((call) => call.provider === 'mediapocket' && call.status === 500)).toEqual([]);
    expect(successfulCalls(sim, 'mediapocket').size).toBe(10);
    expect([...successfulCalls(sim, 'mediapocket').values()].every((n) => n === 1)).toBe(true);
    expect(callsAfterSuccess(sim, 'roughy')).toEqual([]);
    expect(successfulCalls(sim, 'roughy').size).toBe(10);
    expect((await database.pool.query("SELECT 1 FROM retention_runs WHERE state = 'applying'")).rowCount).toBe(0);
  });
});
