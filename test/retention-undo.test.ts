/**
 * `retention undo RUN` as an operator runs it (real processes, the simulator over HTTP): after an apply on all
 * three providers, undo of the Roughy and Affogato runs (and of a plan, an unknown run) is refused with no call;
 * undo of the Media Pocket trash run, killed with SIGKILL part-way and run again, restores every asset still in
 * the trash bin exactly once, skips the ones someone else restored in between with the reason, clears the
 * catalog's trashed_at, and a second undo does nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { acquireProviderLock } from '../src/db/provider-lock.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { callsAfterSuccess, expectedPlan, protectSome, rulesYaml, successfulCalls, syncAll, syncAndAge, writeRules, type ExpectedPlan } from './retention-fixtures.ts';

const sorted = (values: Iterable<string>) => [...values].sort();

describe('retention undo', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  let expected: ExpectedPlan;
  let applyRuns: Map<string, number>;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    // slow enough to be caught mid-way: every answer takes 40 ms
    sim = await startSimulator({ seed: 717, counts: { affogato: 200, mediapocket: 1_500, roughy: 400 }, latencyMs: 40 });
    protectSome(sim, 2);
    const base = workerEnv(sim, database.url, prefix, { RETENTION_RULES: writeRules(rulesYaml({ maxActionsPerRun: 500 })).path });
    context = contextFor(base);
    expected = expectedPlan(sim, await syncAndAge(context, sim));
    const applied = await runCli(['retention', 'apply'], base);
    if (applied.code !== 0) throw new Error(`apply failed: ${applied.stdout}\n${applied.stderr}`);
    const runs = await database.pool.query<{ id: number; provider: string }>(
      "SELECT id, providers[1] AS provider FROM retention_runs WHERE mode = 'apply' AND state = 'done'",
    );
    applyRuns = new Map(runs.rows.map((run) => [run.provider, run.id]));
    // the undo may send 25 restores a second: a SIGKILL lands part-way
    env = { ...base, MEDIAPOCKET_RPS: '25' };
    sim.stats.reset();
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const runOf = (provider: string): number => {
    const id = applyRuns.get(provider);
    if (id === undefined) throw new Error(`no apply run of ${provider}`);
    return id;
  };

  const undoStateCounts = async () => {
    const result = await database.pool.query<{ state: string; n: number }>(
      `SELECT a.state, count(*)::int AS n FROM retention_actions a JOIN retention_runs r ON r.id = a.run_id
        WHERE r.mode = 'undo' GROUP BY a.state`,
    );
    return Object.fromEntries(result.rows.map((row) => [row.state, row.n])) as Record<string, number | undefined>;
  };

  it('refuses to undo a Roughy delete or an Affogato archive, a plan and an unknown run: exit 1, no call', async () => {
    expect(expected.roughy.size).toBeGreaterThan(5);
    const roughy = await runCli(['retention', 'undo', String(runOf('roughy'))], env);
    expect(roughy.code, `${roughy.stdout}\n${roughy.stderr}`).toBe(1);
    expect(roughy.stdout).toContain('refused, nothing done: Roughy cannot reverse delete');

    const affogato = await runCli(['retention', 'undo', String(runOf('affogato'))], env);
    expect(affogato.code).toBe(1);
    expect(affogato.stdout).toContain('Affogato cannot reverse archive: Affogato documents no way to unarchive an asset');

    const plan = await runCli(['retention', 'plan', '--provider', 'mediapocket', '--json'], env);
    const planRunId = (JSON.parse(plan.stdout) as { providers: Array<{ runId: number }> }).providers[0]?.runId;
    const planUndo = await runCli(['retention', 'undo', String(planRunId)], env);
    expect(planUndo.code).toBe(1);
    expect(planUndo.stdout).toContain(`run #${planRunId} is a plan`);

    const unknown = await runCli(['retention', 'undo', '999999', '--json'], env);
    expect(unknown.code).toBe(1);
    expect(JSON.parse(unknown.stdout)).toEqual({ runId: 999999, result: 'refused', reason: 'there is no retention run #999999' });

    expect(sim.stats.destructiveCalls).toEqual([]);
    for (const provider of ['affogato', 'mediapocket', 'roughy'] as const) expect(sim.stats.count(provider)).toBe(0);
    const undoRuns = await database.pool.query("SELECT id FROM retention_runs WHERE mode = 'undo'");
    expect(undoRuns.rows).toEqual([]);
  });

  it('restores every asset the Media Pocket run trashed exactly once across a SIGKILL, skipping those restored elsewhere', async () => {
    const trashed = sorted(expected.mediapocket.keys());
    expect(trashed.length).toBeGreaterThan(40);
    expect(sorted(sim.mediapocket.allTrashed().map((a) => a.id))).toEqual(trashed);

    // someone restores three of them at Media Pocket, and a sync brings the catalog up to date
    const restoredElsewhere = trashed.slice(0, 3);
    for (const id of restoredElsewhere) expect(sim.mediapocket.restore(id)).toBe('restored');
    await syncAll(context, ['mediapocket']);
    const toRestore = trashed.filter((id) => !restoredElsewhere.includes(id));
    sim.stats.reset();

    const first = startCli(['retention', 'undo', String(runOf('mediapocket'))], env);
    await waitFor(async () => {
      const counts = await undoStateCounts();
      return (counts.applied ?? 0) >= 10 && (counts.in_flight ?? 0) > 0 ? true : undefined;
    }, 10);
    first.child.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const atKill = await undoStateCounts();
    expect(atKill.in_flight ?? 0).toBeGreaterThan(0);
    expect(atKill.planned ?? 0).toBeGreaterThan(0);

    const second = await runCli(['retention', 'undo', String(runOf('mediapocket'))], env);
    expect(second.code, `${second.stdout}\n${second.stderr}`).toBe(0);
    expect(second.stdout).toContain('(resumed an interrupted undo)');
    expect(second.stdout).toContain(`restore applied ${toRestore.length}, failed 0, skipped 3`);
    for (const id of restoredElsewhere) expect(second.stderr).toContain(`mediapocket: ${id} skipped: no longer in the trash bin`);

    // at Media Pocket: each asset still in the trash bin restored by one successful call, none sent again
    expect(sim.mediapocket.allTrashed()).toEqual([]);
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map(toRestore.map((id) => [id, 1])));
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    expect(sim.stats.destructiveCalls.every((call) => call.operation === 'restore')).toBe(true);
    for (const id of restoredElsewhere) expect(sim.stats.destructiveCalls.some((call) => call.assetIds.includes(id))).toBe(false);

    // in the catalog: trashed_at cleared at once
    const catalog = await database.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM assets WHERE provider = 'mediapocket' AND asset_id = ANY ($1::text[]) AND trashed_at IS NULL",
      [trashed],
    );
    expect(catalog.rows[0]?.n).toBe(trashed.length);

    // recorded: one undo run, of that run, started from the CLI, done, with a restore action per asset
    const runs = await database.pool.query<{ id: number; state: string; undo_of_run_id: number; started_by: string }>(
      "SELECT id, state, undo_of_run_id, started_by FROM retention_runs WHERE mode = 'undo'",
    );
    expect(runs.rows).toEqual([{ id: expect.any(Number), state: 'done', undo_of_run_id: runOf('mediapocket'), started_by: 'cli' }]);
    const actions = await database.pool.query<{ asset_id: string; action: string; state: string }>(
      'SELECT asset_id, action, state FROM retention_actions WHERE run_id = $1 ORDER BY asset_id',
      [runs.rows[0]?.id],
    );
    expect(actions.rows.every((row) => row.action === 'restore')).toBe(true);
    expect(sorted(actions.rows.filter((row) => row.state === 'applied').map((row) => row.asset_id))).toEqual(toRestore);
    expect(sorted(actions.rows.filter((row) => row.state === 'skipped').map((row) => row.asset_id))).toEqual(restoredElsewhere);
  });

  it('does nothing the second time: no call, no new run', async () => {
    sim.stats.reset();
    const again = await runCli(['retention', 'undo', String(runOf('mediapocket'))], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toContain('nothing to do');
    expect(again.stdout).toContain('is already undone');
    expect(sim.stats.destructiveCalls).toEqual([]);
    expect(sim.stats.count('mediapocket')).toBe(0);
    const runs = await database.pool.query<{ id: number }>("SELECT id FROM retention_runs WHERE mode = 'undo'");
    expect(runs.rows.length).toBe(1);

    // and an undo run is not undone in turn
    const undoOfUndo = await runCli(['retention', 'undo', String(runs.rows[0]?.id)], env);
    expect(undoOfUndo.code).toBe(1);
    expect(undoOfUndo.stdout).toContain('is itself an undo run');
    expect(sim.stats.destructiveCalls).toEqual([]);
  });

  it('waits while an apply holds the retention lock of the provider, then goes on', async () => {
    const lock = await acquireProviderLock(database.pool, 'retention', 'mediapocket', () => undefined);
    const undo = startCli(['retention', 'undo', String(runOf('mediapocket'))], env);
    const early = await Promise.race([undo.result.then(() => 'exited'), new Promise((resolve) => setTimeout(() => resolve('waiting'), 1_500))]);
    await lock.release();
    expect(early).toBe('waiting');
    const result = await undo.result;
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toContain('nothing to do');
  });
});
