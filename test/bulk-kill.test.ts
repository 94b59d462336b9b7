/**
 * A bulk operation killed mid-way (SIGKILL: no chance to park or record anything) and resumed does each item
 * exactly once, counted by the simulator's own log of destructive calls. With Redis flushed as well, the resume
 * rebuilds the lost jobs from Postgres.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

const ITEMS = 120;

describe('bulk killed mid-way', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let prefix: string;
  const prefixes: string[] = [];
  let env: Record<string, string>;
  /** taken once: the listing shrinks as assets go to the trash */
  let allIds: string[];

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({
      seed: 71,
      counts: { mediapocket: ITEMS * 2 + 20 },
      dagActions: [{ id: 7, name: 'Slow transcode', statuses: ['queued', 'running', 'running', 'finished'] }],
    });
    allIds = sim.mediapocket.ids();
  });
  beforeEach(() => {
    prefix = testQueuePrefix();
    prefixes.push(prefix);
    // slow enough to stop it part-way: about 8 seconds for the whole operation
    env = simulatorEnv(sim, database.url, prefix, { mediapocket: 15 });
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    for (const used of prefixes) await clearPrefix(used);
  });

  const counts = async (operationId: number) => {
    const result = await database.pool.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM bulk_items WHERE operation_id = $1 GROUP BY state',
      [operationId],
    );
    return Object.fromEntries(result.rows.map((row) => [row.state, row.n])) as Record<string, number>;
  };
  const latestOperation = async () =>
    (await database.pool.query<{ id: number }>('SELECT id FROM bulk_operations ORDER BY id DESC LIMIT 1')).rows[0]?.id;

  for (const flush of [false, true]) {
    it(`bulk trash: SIGKILL${flush ? ' and a Redis flush' : ''}, then resume: every item trashed exactly once`, async () => {
      const offset = flush ? ITEMS : 0;
      const ids = allIds.slice(offset, offset + ITEMS);
      const previous = (await latestOperation()) ?? 0;
      const first = startCli(['bulk', 'trash', '--provider', 'mediapocket', '--ids', ids.join(','), '--wait'], env);
      const operationId = await waitFor(async () => latestOperation().then((id) => (id !== undefined && id > previous ? id : undefined)));
      await waitFor(async () => ((await counts(operationId)).done ?? 0) >= 25 || undefined);
      first.child.kill('SIGKILL');
      expect((await first.result).signal).toBe('SIGKILL');
      const stopped = await counts(operationId);
      expect(stopped.done).toBeLessThan(ITEMS);
      if (flush) await clearPrefix(prefix);

      const resumed = await runCli(['bulk', 'status', String(operationId), '--wait'], env);
      expect(resumed.code, resumed.stderr).toBe(0);
      expect(resumed.stdout).toMatch(new RegExp(`final counts: ${ITEMS} done, 0 failed, 0 skipped, 0 to do`));
      const trashCalls = sim.stats.destructiveCalls.filter((call) => call.operation === 'trash' && ids.includes(call.assetIds[0] ?? ''));
      const perAsset = new Map<string, number>();
      for (const call of trashCalls) perAsset.set(call.assetIds[0] ?? '', (perAsset.get(call.assetIds[0] ?? '') ?? 0) + 1);
      expect(perAsset.size).toBe(ITEMS);
      expect([...perAsset.values()].every((n) => n === 1)).toBe(true);
      expect(ids.every((id) => sim.mediapocket.isTrashed(id))).toBe(true);
      console.info(`trash of ${ITEMS}: killed with ${stopped.done} done and ${stopped.in_flight ?? 0} in flight; resumed to ${ITEMS} trash calls, one per asset`);
    });
  }

  it('bulk dag: the worker killed mid-poll and Redis flushed, every run still reaches its outcome, each started once', async () => {
    const ids = allIds.slice(ITEMS * 2, ITEMS * 2 + 12);
    const first = startCli(['bulk', 'dag', '--provider', 'mediapocket', '--action', '7', '--ids', ids.join(','), '--wait'], { ...env, MEDIAPOCKET_RPS: '100' });
    const polled = async () =>
      (await database.pool.query<{ n: number }>('SELECT count(*)::int AS n FROM dag_action_runs WHERE asset_id = ANY ($1) AND poll_attempts >= 1', [ids])).rows[0]?.n ?? 0;
    await waitFor(async () => ((await polled()) >= 6 ? true : undefined));
    first.child.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const open = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM dag_action_runs WHERE asset_id = ANY ($1) AND outcome IN ('starting', 'running')",
      [ids],
    );
    expect(open.rows[0]?.n).toBeGreaterThan(0);
    await clearPrefix(prefix);

    const operationId = await latestOperation();
    const resumed = await runCli(['bulk', 'status', String(operationId), '--wait'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/final counts: 12 done, 0 failed/);
    const runs = await database.pool.query('SELECT outcome, status FROM dag_runs WHERE asset_id = ANY ($1)', [ids]);
    expect(runs.rows).toEqual(ids.map(() => ({ outcome: 'succeeded', status: 'finished' })));
    for (const assetId of ids) expect(sim.mediapocket.dagRuns(assetId)).toHaveLength(1);
  });
});
