/**
 * DAG action runs end to end in one process: real Postgres, real Redis and BullMQ workers, the Media Pocket
 * adapter talking HTTP to the simulator. Poll timing is shortened; the logic is the production one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { dagPollJobId, ensurePollJob } from '../src/jobs/dag-poll-jobs.ts';
import { pollDagRun } from '../src/dag/dag-run-poller.ts';
import { createStartingRun, submitStart, type DagDeps } from '../src/dag/dag-run-starter.ts';
import { getDagRun, type DagRun } from '../src/db/dag-runs.repository.ts';
import { DEFAULT_DAG_POLL_POLICY, isOpenOutcome, type DagPollPolicy } from '../src/domain/dag-poll-policy.ts';
import { bulkChunkHandler } from '../src/app/job-handlers/bulk-chunk.handler.ts';
import { dagPollHandler } from '../src/app/job-handlers/dag-poll.handler.ts';
import { dagSweepHandler } from '../src/app/job-handlers/dag-sweep.handler.ts';
import { enqueue, type Queues } from '../src/jobs/queues.ts';
import { createLogger } from '../src/logger.ts';
import { createMediaPocketClient } from '../src/providers/mediapocket/mediapocket.client.ts';
import { createMediaPocketDagActions } from '../src/providers/mediapocket/mediapocket-dag.provider.ts';
import { Secret } from '../src/secret.ts';
import { DEFAULT_DAG_ACTIONS, startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { startInProcessWorker, type InProcessWorker } from './support/context.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const FAST: DagPollPolicy = { ...DEFAULT_DAG_POLL_POLICY, baseMs: 100, capMs: 400, minMs: 20, startGraceMs: 600, startRecheckMs: 200 };

describe('DAG action runs', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let queues: Queues;
  let worker: InProcessWorker;
  let deps: DagDeps;
  const prefix = testQueuePrefix();
  let nextAsset = 0;
  const freshAsset = () => sim.mediapocket.ids()[nextAsset++] as string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 31, counts: { mediapocket: 40 } });
    worker = startInProcessWorker(simulatorEnv(sim, database.url, prefix, { mediapocket: 500 }), {
      handlers: (handlerDeps) => [
        dagPollHandler(handlerDeps, { policy: FAST }),
        dagSweepHandler(handlerDeps, { marginMs: 0 }),
        bulkChunkHandler(handlerDeps, { dagPolicy: FAST }),
      ],
      queues: ['dag'],
    });
    ({ context, queues } = worker);
    const dagActions = context.providers.get('mediapocket')?.dagActions;
    if (dagActions === undefined) throw new Error('the Media Pocket adapter has no DAG actions');
    deps = { pool: context.pool, db: context.db, dagActions, logger: context.logger, policy: FAST, clock: () => new Date() };
  });
  afterAll(async () => {
    await worker.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  async function start(assetId: string, dagActionId: number, timeoutMs = 60_000): Promise<DagRun> {
    const starting = await createStartingRun(context.db, { assetId, dagActionId: String(dagActionId), timeoutMs }, FAST, new Date());
    const { run } = await submitStart(deps, starting);
    if (isOpenOutcome(run.outcome)) await ensurePollJob(queues, run.id, run.nextPollAt ?? undefined);
    return run;
  }

  const ended = (runId: number) =>
    waitFor(async () => {
      const run = await getDagRun(context.db, runId);
      return run !== undefined && !isOpenOutcome(run.outcome) ? run : undefined;
    });

  const viewRow = async (runId: number) =>
    (
      await database.pool.query(
        'SELECT * FROM dag_runs WHERE worker_run_id = $1',
        [runId],
      )
    ).rows[0];

  it('a run that finishes after several polls ends succeeded, its status verbatim', async () => {
    const assetId = freshAsset();
    const started = await start(assetId, 1);
    expect(started).toMatchObject({ outcome: 'running', status: 'running' });
    const run = await ended(started.id);
    expect(run).toMatchObject({ outcome: 'succeeded', status: 'finished', error: null });
    // Transcode answers running, running, finished: three polls, each one parked in BullMQ in between
    expect(run.pollAttempts).toBe(3);
    expect(run.finishedAt).not.toBeNull();
    const messages = run.messages as Array<{ message: string }>;
    expect(messages.map((m) => m.message)).toEqual(['Set in queue...', 'Step 1 of 3: still running', 'Step 2 of 3: still running', 'Step 3 of 3: finished']);
    // one run at the provider, tracked under its id; the contract's view shows it
    const atProvider = sim.mediapocket.dagRuns(assetId);
    expect(atProvider).toHaveLength(1);
    expect(run.providerRunId).toBe(String(atProvider[0]?.id));
    expect(await viewRow(run.id)).toMatchObject({ asset_id: assetId, dag_action_id: '1', run_id: run.providerRunId, status: 'finished', outcome: 'succeeded' });
    const job = await queues.dag.getJob(dagPollJobId(run.id));
    expect(await job?.getState()).toBe('completed');
    // three runs of the handler, but parking is not an attempt: only the final, completing run counts
    expect(job?.attemptsStarted).toBeGreaterThanOrEqual(3);
    expect(job?.attemptsMade).toBe(1);
  });

  it('success under another word ("completed") is success too', async () => {
    const run = await ended((await start(freshAsset(), 5)).id);
    expect(run).toMatchObject({ outcome: 'succeeded', status: 'completed' });
  });

  it('a run that fails ends failed, with its status and messages', async () => {
    const run = await ended((await start(freshAsset(), 2)).id);
    expect(run).toMatchObject({ outcome: 'failed', status: 'failed' });
    expect((run.messages as Array<{ message: string }>).at(-1)?.message).toBe('Step 2 of 2: failed');
    expect((await viewRow(run.id))?.outcome).toBe('failed');
  });

  it('a run that never ends is timed out at its deadline; an unknown status is kept verbatim until then', async () => {
    const [never, unknown] = await Promise.all([start(freshAsset(), 3, 1_500), start(freshAsset(), 4, 1_500)]);
    const [neverEnded, unknownEnded] = await Promise.all([ended(never.id), ended(unknown.id)]);
    expect(neverEnded).toMatchObject({ outcome: 'timed_out', status: 'running' });
    expect(unknownEnded).toMatchObject({ outcome: 'timed_out', status: 'waiting_for_review' });
    for (const run of [neverEnded, unknownEnded]) {
      expect(run.finishedAt?.getTime()).toBeGreaterThanOrEqual(run.deadlineAt.getTime());
      expect(run.pollAttempts).toBeGreaterThan(1);
      expect(run.error).toMatch(/no final status by the deadline/);
    }
  });

  it('429s and 5xx while polling are no answer, not an outcome: the run is polled on and succeeds', async () => {
    // a client without the HTTP path's own retries, so every injected failure reaches the poller
    const client = createMediaPocketClient({
      config: { apiKey: new Secret(sim.apiKeys.mediapocket), baseUrl: sim.baseUrls.mediapocket, rps: 500 },
      rateLimiter: context.rateLimiter,
      logger: createLogger('silent'),
      http: { retries: 0, maxRetryTimeMs: 0 },
    });
    const bare: DagDeps = { ...deps, dagActions: createMediaPocketDagActions(client), policy: { ...FAST, minMs: 0, baseMs: 1, capMs: 1 } };
    try {
      const assetId = freshAsset();
      const starting = await createStartingRun(context.db, { assetId, dagActionId: '1', timeoutMs: 60_000 }, FAST, new Date());
      const { run } = await submitStart(bare, starting);
      sim.stats.reset();
      sim.setFaults('mediapocket', { rate429: 0.3, rate500: 0.2, rate502Html: 0.1, retryAfterSeconds: 0 });
      const errors: string[] = [];
      let step = await pollDagRun(bare, run.id);
      while (step.kind === 'park') {
        const row = await getDagRun(context.db, run.id);
        if (row?.error != null) errors.push(row.error);
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, step.kind === 'park' ? step.at.getTime() - Date.now() : 0)));
        step = await pollDagRun(bare, run.id);
      }
      sim.setFaults('mediapocket', undefined);
      expect(step.run).toMatchObject({ outcome: 'succeeded', status: 'finished' });
      expect(sim.stats.count('mediapocket', 'dag.runs', 429) + sim.stats.count('mediapocket', 'dag.runs', 500)).toBeGreaterThan(0);
      expect(errors.some((error) => /HTTP (429|500|502)/.test(error))).toBe(true);
      expect(sim.mediapocket.dagRuns(assetId)).toHaveLength(1);
    } finally {
      sim.setFaults('mediapocket', undefined);
      await client.close();
    }
  });

  it('403 is a clear failure: no ACTIONS_START refuses the start, no ACTIONS_VIEW ends a run being polled', async () => {
    sim.mediapocket.denyPermissions('ACTIONS_START', true);
    try {
      const refused = await start(freshAsset(), 1);
      expect(refused).toMatchObject({ outcome: 'failed', providerRunId: null });
      expect(refused.error).toMatch(/HTTP 403: Permission denied\. Must have ACTIONS_START permissions/);
    } finally {
      sim.mediapocket.denyPermissions('ACTIONS_START', false);
    }
    const assetId = freshAsset();
    sim.mediapocket.denyPermissions('ACTIONS_VIEW', true);
    try {
      const run = await ended((await start(assetId, 3)).id);
      expect(run).toMatchObject({ outcome: 'failed', status: 'running' });
      expect(run.error).toMatch(/HTTP 403: Permission denied\. Must have ACTIONS_VIEW permissions/);
    } finally {
      sim.mediapocket.denyPermissions('ACTIONS_VIEW', false);
    }
  });

  it('a start whose answer was never recorded is resolved from the provider, never started twice', async () => {
    // the row was written and the call went out, then the process died before recording the answer
    const sentAsset = freshAsset();
    const sent = await createStartingRun(context.db, { assetId: sentAsset, dagActionId: '1', timeoutMs: 60_000 }, FAST, new Date());
    await deps.dagActions.start(sentAsset, '1');
    // the row was written, the process died before the call
    const unsentAsset = freshAsset();
    const unsent = await createStartingRun(context.db, { assetId: unsentAsset, dagActionId: '1', timeoutMs: 60_000 }, FAST, new Date());
    // what the sweep does once the grace has passed: give each its poll job
    await ensurePollJob(queues, sent.id);
    await ensurePollJob(queues, unsent.id);

    const adopted = await ended(sent.id);
    expect(adopted).toMatchObject({ outcome: 'succeeded', status: 'finished', providerRunId: String(sim.mediapocket.dagRuns(sentAsset)[0]?.id) });
    expect(sim.mediapocket.dagRuns(sentAsset)).toHaveLength(1);

    const resolved = await ended(unsent.id);
    expect(resolved).toMatchObject({ outcome: 'failed', providerRunId: null });
    expect(resolved.error).toMatch(/nothing was started/);
    expect(sim.mediapocket.dagRuns(unsentAsset)).toHaveLength(0);
    expect(sim.stats.count('mediapocket', 'dag.start')).toBeGreaterThan(0);
  });

  it('a run whose poll job was lost is picked up again from Postgres by the sweep', async () => {
    const assetId = freshAsset();
    const run = await start(assetId, 3, 60_000);
    await waitFor(async () => ((await getDagRun(context.db, run.id))?.pollAttempts ?? 0) >= 1 || undefined);
    // lose the job, as a Redis flush would, wherever it stands
    await waitFor(async () => {
      const job = await queues.dag.getJob(dagPollJobId(run.id));
      if (job === undefined) return true;
      if ((await job.getState()) !== 'delayed') return undefined;
      // a worker may take the job between the state read and the removal (BullMQ then refuses it): look again
      return job.remove().then(
        () => true,
        () => undefined,
      );
    });
    const attemptsWhenLost = (await getDagRun(context.db, run.id))?.pollAttempts ?? 0;
    await waitFor(async () => {
      const row = await getDagRun(context.db, run.id);
      return row?.nextPollAt != null && row.nextPollAt.getTime() < Date.now() ? true : undefined;
    });
    expect((await getDagRun(context.db, run.id))?.pollAttempts).toBe(attemptsWhenLost);

    const sweep = await enqueue(queues, 'dag.sweep', {});
    const result = await waitFor(async () => ((await sweep.getState()) === 'completed' ? (await queues.dag.getJob(sweep.id ?? ''))?.returnvalue : undefined));
    expect(result).toMatchObject({ pollsRequeued: 1 });
    await waitFor(async () => (((await getDagRun(context.db, run.id))?.pollAttempts ?? 0) > attemptsWhenLost + 1 ? true : undefined));
    expect(await (await queues.dag.getJob(dagPollJobId(run.id)))?.getState()).toMatch(/delayed|active|waiting/);
  });

  it('the default catalogue of the simulator is what these tests rely on', () => {
    expect(DEFAULT_DAG_ACTIONS.map((action) => action.statuses)).toEqual([['running', 'running', 'finished'], ['running', 'failed'], ['running'], ['waiting_for_review'], ['completed']]);
  });
});
