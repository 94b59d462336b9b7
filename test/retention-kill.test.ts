/**
 * `retention apply` killed with SIGKILL in the middle of its destructive calls, then run again: every planned
 * action is done exactly once, the interrupted run is finished rather than planned anew, and a third apply
 * makes no destructive call at all.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import {
  callsAfterSuccess,
  expectedPlan,
  protectSome,
  retentionLog,
  rulesYaml,
  successfulCalls,
  syncAndAge,
  writeRules,
  type ExpectedPlan,
} from './retention-fixtures.ts';

const sorted = (values: Iterable<string>) => [...values].sort();

describe('retention apply killed mid-way', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  let expected: ExpectedPlan;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    // slow enough to be caught mid-way: every answer takes 40 ms and the worker may send 25 requests a second
    sim = await startSimulator({ seed: 909, counts: { affogato: 300, mediapocket: 1_500, roughy: 1_500 }, latencyMs: 40 });
    protectSome(sim, 2);
    const base = workerEnv(sim, database.url, prefix);
    context = contextFor(base);
    expected = expectedPlan(sim, await syncAndAge(context, sim));
    env = { ...base, RETENTION_RULES: writeRules(rulesYaml({ maxActionsPerRun: 500 })).path, MEDIAPOCKET_RPS: '25', ROUGHY_RPS: '25' };
    sim.stats.reset();
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const stateCounts = async (provider: string) => {
    const result = await database.pool.query<{ state: string; n: number }>(
      'SELECT state, count(*)::int AS n FROM retention_actions WHERE provider = $1 GROUP BY state',
      [provider],
    );
    return Object.fromEntries(result.rows.map((row) => [row.state, row.n])) as Record<string, number | undefined>;
  };

  it('does every planned action exactly once across the kill and the re-run', async () => {
    expect(expected.mediapocket.size).toBeGreaterThan(30);
    expect(expected.roughy.size).toBeGreaterThan(30);
    const first = startCli(['retention', 'apply'], env);
    // providers are applied in turn: stop it part-way through Media Pocket, Roughy not yet begun
    await waitFor(async () => {
      const counts = await stateCounts('mediapocket');
      return (counts.applied ?? 0) >= 10 && (counts.in_flight ?? 0) > 0 ? true : undefined;
    }, 10);
    first.child.kill('SIGKILL');
    const killed = await first.result;
    expect(killed.signal).toBe('SIGKILL');

    const atKill = await stateCounts('mediapocket');
    // killed with calls in flight and work left: the case this test is about
    expect(atKill.in_flight ?? 0).toBeGreaterThan(0);
    expect(atKill.planned ?? 0).toBeGreaterThan(0);
    expect(await stateCounts('roughy')).toEqual({});
    const runsAtKill = await database.pool.query<{ id: number }>("SELECT id FROM retention_runs WHERE mode = 'apply' AND state = 'applying'");
    expect(runsAtKill.rows.length).toBeGreaterThan(0);

    const second = await runCli(['retention', 'apply'], env);
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.stdout).toContain('(resumed)');

    // at the providers: exactly the planned assets, each by one successful call, none sent again after success
    expect(sorted(sim.mediapocket.allTrashed().map((a) => a.id))).toEqual(sorted(expected.mediapocket.keys()));
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map([...expected.mediapocket.keys()].map((id) => [id, 1])));
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    for (const id of expected.roughy.keys()) expect(sim.roughy.get(id), id).toBeUndefined();
    expect(successfulCalls(sim, 'roughy')).toEqual(new Map([...expected.roughy.keys()].map((id) => [id, 1])));
    expect(callsAfterSuccess(sim, 'roughy')).toEqual([]);
    for (const id of expected.affogato.keys()) expect(sim.affogato.isArchived(id), id).toBe(true);
    expect(sim.mediapocket.ids().length + sim.mediapocket.allTrashed().length).toBe(1_500);
    expect(sim.roughy.size()).toBe(1_500 - expected.roughy.size);

    // in the audit: every run finished (a provider the kill did not interrupt planned anew and found nothing
    // left), every planned action applied once, nothing left over
    const runs = await database.pool.query<{ id: number; state: string }>("SELECT id, state FROM retention_runs WHERE mode = 'apply' ORDER BY id");
    expect(runs.rows.every((run) => run.state === 'done')).toBe(true);
    for (const run of runsAtKill.rows) expect(runs.rows.find((r) => r.id === run.id)?.state).toBe('done');
    const log = await retentionLog(database.pool, runs.rows.map((run) => run.id));
    const appliedIds = log.filter((row) => row.state === 'applied').map((row) => `${row.provider}/${row.asset_id}`);
    expect(new Set(appliedIds).size).toBe(appliedIds.length);
    expect(appliedIds.length).toBe(expected.affogato.size + expected.mediapocket.size + expected.roughy.size);
    expect(log.filter((row) => row.state !== 'applied' && row.state !== 'skipped')).toEqual([]);

    sim.stats.reset();
    const third = await runCli(['retention', 'apply'], env);
    expect(third.code, third.stderr).toBe(0);
    expect(sim.stats.destructiveCalls).toEqual([]);
  });
});
