/**
 * Polling parks the job (BullMQ step-job) instead of holding a worker slot: with 50 runs being polled and a
 * worker of concurrency 2, other jobs on the same queue still get through.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { dagPollJobId, ensurePollJob } from '../src/jobs/dag-poll-jobs.ts';
import { createStartingRun, submitStart } from '../src/dag/dag-run-starter.ts';
import { DEFAULT_DAG_POLL_POLICY, type DagPollPolicy } from '../src/domain/dag-poll-policy.ts';
import { bulkChunkHandler } from '../src/app/job-handlers/bulk-chunk.handler.ts';
import { dagPollHandler } from '../src/app/job-handlers/dag-poll.handler.ts';
import { dagSweepHandler } from '../src/app/job-handlers/dag-sweep.handler.ts';
import { enqueue, type Queues } from '../src/jobs/queues.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { startInProcessWorker, type InProcessWorker } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const RUNS = 50;
const POLICY: DagPollPolicy = { ...DEFAULT_DAG_POLL_POLICY, baseMs: 200, capMs: 1_500, minMs: 100 };

describe('DAG polling with a small worker', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let queues: Queues;
  let worker: InProcessWorker;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 32, counts: { mediapocket: RUNS } });
    worker = startInProcessWorker(simulatorEnv(sim, database.url, prefix, { mediapocket: 1000 }), {
      handlers: (deps) => [dagPollHandler(deps, { policy: POLICY }), dagSweepHandler(deps), bulkChunkHandler(deps)],
      queues: ['dag'],
      concurrency: { dag: 2 },
    });
    ({ context, queues } = worker);
  });
  afterAll(async () => {
    await worker.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it(`processes another job promptly while ${RUNS} runs are being polled by 2 slots`, async () => {
    const dagActions = context.providers.get('mediapocket')?.dagActions;
    if (dagActions === undefined) throw new Error('no DAG actions');
    const deps = { pool: context.pool, db: context.db, dagActions, logger: context.logger, policy: POLICY, clock: () => new Date() };
    const runIds: number[] = [];
    // "Export to archive" answers running for ever; the deadline is far away
    for (const assetId of sim.mediapocket.ids()) {
      const starting = await createStartingRun(context.db, { assetId, dagActionId: '3', timeoutMs: 30 * 60_000 }, POLICY, new Date());
      const { run } = await submitStart(deps, starting);
      await ensurePollJob(queues, run.id, run.nextPollAt ?? undefined);
      runIds.push(run.id);
    }
    const minPolls = async () =>
      (await database.pool.query<{ min: number }>('SELECT min(poll_attempts)::int AS min FROM dag_action_runs WHERE id = ANY ($1)', [runIds])).rows[0]?.min ?? 0;
    // every run is polled again and again: 2 slots serve all 50
    await waitFor(async () => ((await minPolls()) >= 2 ? true : undefined));

    const other = await enqueue(queues, 'dag.sweep', {});
    await waitFor(async () => ((await other.getState()) === 'completed' ? true : undefined), 20);
    // the moment the other job was done, every one of the 50 runs was still open and its poll job was parked or
    // about to run, none of them holding a slot while waiting
    const states = await Promise.all(runIds.map(async (id) => (await queues.dag.getJob(dagPollJobId(id)))?.getState()));
    const open = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM dag_action_runs WHERE id = ANY ($1) AND outcome = 'running'",
      [runIds],
    );
    expect(open.rows[0]?.n).toBe(RUNS);
    expect(states.filter((state) => state === 'active').length).toBeLessThanOrEqual(2);
    expect(states.filter((state) => state === 'delayed').length).toBeGreaterThanOrEqual(RUNS / 2);
    expect(states.every((state) => state === 'delayed' || state === 'active' || state === 'waiting')).toBe(true);

    // and polling goes on for all of them afterwards
    const before = await minPolls();
    await waitFor(async () => ((await minPolls()) > before ? true : undefined));
    const perAsset = sim.mediapocket.ids().map((id) => sim.mediapocket.dagRuns(id).length);
    expect(perAsset.every((n) => n === 1)).toBe(true);
  });
});
