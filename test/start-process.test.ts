/**
 * `start` as an operator runs it: a real process, given SIGTERM in the middle of a sync job, exits 0 with the
 * job parked; the next `start` resumes it, and the catalog ends exactly equal to the simulator's truth.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeQueues, createQueues, enqueue, type Queues } from '../src/jobs/queues.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { catalogOf, waitFor } from './support/catalog.ts';
import { startCli, type RunningCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createRedis, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const ASSETS = 3_000;

function outputOf(cli: RunningCli): () => string {
  let text = '';
  cli.child.stdout?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  cli.child.stderr?.on('data', (chunk: Buffer) => (text += chunk.toString()));
  return () => text;
}

describe('start (child process)', () => {
  const prefix = testQueuePrefix();
  const redis = createRedis();
  let database: TestDatabase;
  let sim: Simulator;
  let queues: Queues;
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 41, counts: { affogato: ASSETS } });
    queues = createQueues(redis, prefix);
    env = simulatorEnv(sim, database.url, prefix, { affogato: 25 }, { ADMIN_PORT: '0', LOG_LEVEL: 'info' });
  });
  afterAll(async () => {
    await closeQueues(queues);
    redis.disconnect();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const openRunPages = async () =>
    (await database.pool.query<{ pages: number }>("SELECT pages FROM sync_runs WHERE provider = 'affogato' AND state = 'running'")).rows[0]
      ?.pages ?? 0;

  /** the announced admin address; fails at once with the output if the process exits first */
  const adminUrlOf = (cli: RunningCli, output: () => string) =>
    Promise.race([
      waitFor(async () => /admin server listening on (http:\/\/[^\s]+)/.exec(output())?.[1], 50),
      cli.result.then((exited) => Promise.reject(new Error(`start exited (${exited.code}) before serving:\n${output()}`))),
    ]);

  it('SIGTERM mid-sync exits 0 with the job parked; the next start resumes it to an exact catalog', async () => {
    const first = startCli(['start'], env);
    const firstOutput = outputOf(first);
    const adminUrl = await adminUrlOf(first, firstOutput);
    expect((await fetch(`${adminUrl}/readyz`)).status).toBe(200);
    // one boot line names the schedules and the enabled providers
    const boot = firstOutput()
      .split('\n')
      .find((line) => line.includes('"msg":"worker started"'));
    expect(boot).toBeDefined();
    expect(JSON.parse(boot ?? '{}')).toMatchObject({ providers: ['affogato'], schedules: expect.arrayContaining(['sync:affogato "0 * * * *" UTC']) });

    const job = await enqueue(queues, 'sync.provider', { provider: 'affogato' });
    await waitFor(async () => ((await openRunPages()) >= 5 ? true : undefined), 50);
    first.child.kill('SIGTERM');
    const stopped = await first.result;
    expect(stopped.code, firstOutput()).toBe(0);
    expect(firstOutput()).toContain('SIGTERM received');
    expect(firstOutput()).toContain('"msg":"worker stopped"');

    const parked = await queues.sync.getJob(job.id ?? '');
    expect(await parked?.getState()).toBe('delayed');
    expect(parked?.attemptsMade).toBe(0);
    const pagesAtStop = await openRunPages();
    expect(pagesAtStop).toBeGreaterThan(0);
    expect(pagesAtStop).toBeLessThan(ASSETS / 50);

    const second = startCli(['start'], env);
    const secondOutput = outputOf(second);
    try {
      await Promise.race([
        waitFor(async () => ((await (await queues.sync.getJob(job.id ?? ''))?.getState()) === 'completed' ? true : undefined), 200),
        second.result.then((exited) => Promise.reject(new Error(`start exited (${exited.code}) early:\n${secondOutput()}`))),
      ]);
    } finally {
      second.child.kill('SIGINT');
    }
    const secondResult = await second.result;
    expect(secondResult.code, secondOutput()).toBe(0);

    const catalog = await catalogOf(database.pool, 'affogato');
    const truth = sim.affogato.all();
    expect(catalog.size).toBe(truth.length);
    for (const asset of truth) expect(catalog.get(asset.id)?.raw).toEqual(asset);
    const runs = await database.pool.query('SELECT state, seen FROM sync_runs');
    expect(runs.rows).toEqual([{ state: 'complete', seen: ASSETS }]);
  });
});
