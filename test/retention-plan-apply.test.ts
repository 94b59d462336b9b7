/**
 * `retention plan` and `retention apply` as an operator runs them (real processes), on rules for all three
 * providers: the plan equals the set computed from the simulator's truth and touches no provider; apply acts on
 * exactly that set and nothing else; a second apply makes no destructive call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { runCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import {
  byState,
  expectedPlan,
  protectSome,
  retentionLog,
  rulesYaml,
  successfulCalls,
  syncAndAge,
  writeRules,
  type ExpectedPlan,
} from './retention-fixtures.ts';

interface PlanJson {
  rulesFile: string;
  providers: Array<{
    provider: string;
    runId: number;
    planned: number;
    skipped: number;
    apply: { wouldRefuse: boolean };
    reversal: { reversible: boolean; undoAction?: string; why?: string };
    actions: Array<{ assetId: string; rule: string; action: string; state: string; reason: string; alsoMatched: string[]; undo: string | null }>;
  }>;
}

const sorted = (values: Iterable<string>) => [...values].sort();

describe('retention plan and apply on all three providers', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  let expected: ExpectedPlan;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 404, counts: { affogato: 300, mediapocket: 400, roughy: 400 } });
    protectSome(sim, 3);
    const rules = writeRules(rulesYaml());
    env = workerEnv(sim, database.url, prefix, { RETENTION_RULES: rules.path });
    context = contextFor(env);
    expected = expectedPlan(sim, await syncAndAge(context, sim));
    sim.stats.reset();
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('plans exactly the expected set, names the rule that applies, and contacts no provider', async () => {
    // the scenario is only meaningful if every provider has something to do and something protected exists
    expect(expected.affogato.size).toBeGreaterThan(20);
    expect(expected.mediapocket.size).toBeGreaterThan(5);
    expect(expected.mediapocketProtected.size).toBeGreaterThan(0);
    expect(expected.roughy.size).toBeGreaterThan(5);

    const result = await runCli(['retention', 'plan', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const plan = JSON.parse(result.stdout) as PlanJson;
    const of = (provider: string) => plan.providers.find((p) => p.provider === provider);
    const planned = (provider: string) => new Map(of(provider)?.actions.filter((a) => a.state === 'planned').map((a) => [a.assetId, a.rule]));
    expect(planned('affogato')).toEqual(expected.affogato);
    expect(planned('mediapocket')).toEqual(expected.mediapocket);
    expect(planned('roughy')).toEqual(expected.roughy);
    expect(sorted(of('mediapocket')?.actions.filter((a) => a.state === 'skipped').map((a) => a.assetId) ?? [])).toEqual(sorted(expected.mediapocketProtected));
    for (const provider of plan.providers) expect(provider.apply.wouldRefuse).toBe(false);

    // what undo could take back: Media Pocket's trash is, Roughy's delete and Affogato's archive are not
    expect(of('mediapocket')?.reversal).toMatchObject({ reversible: true, undoAction: 'restore' });
    expect(of('roughy')?.reversal).toMatchObject({ reversible: false, why: expect.stringContaining('permanent') });
    expect(of('affogato')?.reversal.reversible).toBe(false);
    const undoMarks = (provider: string) => new Set(of(provider)?.actions.map((a) => `${a.state}:${a.undo}`));
    expect(undoMarks('mediapocket')).toEqual(new Set(['planned:reversible', 'skipped:null']));
    expect(undoMarks('roughy')).toEqual(new Set(['planned:irreversible']));
    expect(undoMarks('affogato')).toEqual(new Set(['planned:irreversible']));

    // an asset both Affogato rules match is planned by the first and says so
    const overlap = of('affogato')?.actions.find((a) => a.alsoMatched.length > 0);
    expect(overlap?.rule).toBe('archive-old-affogato-images');
    expect(overlap?.alsoMatched).toEqual(['archive-older-affogato-media']);
    expect(overlap?.reason).toContain('also matched archive-older-affogato-media (the first matching rule in file order applies)');

    // persisted: the plan's rows in retention_log equal what was printed
    const log = await retentionLog(database.pool, plan.providers.map((p) => p.runId));
    expect(byState(log, 'affogato', 'planned')).toEqual(expected.affogato);
    expect(byState(log, 'roughy', 'planned')).toEqual(expected.roughy);

    // nothing was asked of any provider, destructive or not
    expect(sim.stats.destructiveCalls).toEqual([]);
    for (const provider of ['affogato', 'mediapocket', 'roughy'] as const) expect(sim.stats.count(provider)).toBe(0);
  });

  it('prints the plan as a table by default', async () => {
    const result = await runCli(['retention', 'plan', '--provider', 'roughy'], env);
    expect(result.code, result.stderr).toBe(0);
    const [firstId] = sorted(expected.roughy.keys());
    expect(result.stdout).toMatch(/provider\s+asset_id\s+rule\s+action\s+state\s+reason/);
    expect(result.stdout).toContain(`roughy    ${firstId}  delete-failed-roughy  delete  planned`);
    expect(result.stdout).toContain('nothing was changed at any provider');
    // irreversible actions are marked apart: a column per action, one in the summary, and a line saying so
    expect(result.stdout).toMatch(/provider\s+asset_id\s+rule\s+action\s+state\s+reason\s+undo/);
    expect(result.stdout).toMatch(new RegExp(`roughy +${firstId} +delete-failed-roughy +delete +planned +.* irreversible\\n`));
    expect(result.stdout).toMatch(/apply would\s+undo/);
    expect(result.stdout).toContain(`roughy: IRREVERSIBLE: ${expected.roughy.size} planned delete action(s) cannot be undone`);
    expect(sim.stats.destructiveCalls).toEqual([]);
  });

  it('marks Media Pocket trash reversible in the plan table, with how to undo it', async () => {
    const result = await runCli(['retention', 'plan', '--provider', 'mediapocket'], env);
    expect(result.code, result.stderr).toBe(0);
    const [firstId] = sorted(expected.mediapocket.keys());
    expect(result.stdout).toMatch(new RegExp(`mediapocket +${firstId} +trash-stale-mediapocket-samples +trash +planned +.* reversible\\n`));
    expect(result.stdout).toContain('reversible (restore)');
    expect(result.stdout).toContain(`mediapocket: reversible: ${expected.mediapocket.size} planned trash action(s) can be undone after apply with retention undo RUN`);
    expect(sim.stats.destructiveCalls).toEqual([]);
  });

  it('applies exactly the plan at the providers, reflects it in the catalog at once, and a second apply does nothing', async () => {
    const archivedBefore = new Set(sim.affogato.archivedIds());
    const roughyBefore = new Set(sim.roughy.ids());
    const mediapocketBefore = new Set(sim.mediapocket.ids());

    const result = await runCli(['retention', 'apply'], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toMatch(/provider\s+run\s+planned\s+applied\s+failed\s+skipped\s+left\s+result/);

    // exactly the expected assets changed at the simulator, nothing else
    const newlyArchived = sim.affogato.archivedIds().filter((id) => !archivedBefore.has(id));
    expect(sorted(newlyArchived)).toEqual(sorted(expected.affogato.keys()));
    expect(sorted(sim.mediapocket.allTrashed().map((a) => a.id))).toEqual(sorted(expected.mediapocket.keys()));
    expect(sorted([...mediapocketBefore].filter((id) => !sim.mediapocket.ids().includes(id)))).toEqual(sorted(expected.mediapocket.keys()));
    const deleted = [...roughyBefore].filter((id) => sim.roughy.get(id) === undefined);
    expect(sorted(deleted)).toEqual(sorted(expected.roughy.keys()));
    for (const id of expected.mediapocketProtected) expect(sim.mediapocket.isTrashed(id)).toBe(false);

    // each action was performed by exactly one successful call
    const archiveCalls = successfulCalls(sim, 'affogato');
    expect(sorted(archiveCalls.keys())).toEqual(sorted(expected.affogato.keys()));
    expect([...archiveCalls.values()].every((n) => n === 1)).toBe(true);
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map([...expected.mediapocket.keys()].map((id) => [id, 1])));
    expect(successfulCalls(sim, 'roughy')).toEqual(new Map([...expected.roughy.keys()].map((id) => [id, 1])));
    expect(sim.stats.destructiveCalls.every((call) => call.status < 300)).toBe(true);

    // the catalog shows the worker's own actions without waiting for a sync
    const rows = await database.pool.query<{ provider: string; asset_id: string; status: string; trashed_at: Date | null; removed_at: Date | null }>(
      'SELECT provider, asset_id, status, trashed_at, removed_at FROM catalog_assets',
    );
    const changed = (provider: string, test: (row: (typeof rows.rows)[number]) => boolean) =>
      sorted(rows.rows.filter((row) => row.provider === provider && test(row)).map((row) => row.asset_id));
    expect(changed('affogato', (row) => row.status === 'archive')).toEqual(sorted([...archivedBefore, ...expected.affogato.keys()]));
    expect(changed('mediapocket', (row) => row.trashed_at !== null)).toEqual(sorted(expected.mediapocket.keys()));
    expect(changed('roughy', (row) => row.removed_at !== null)).toEqual(sorted(expected.roughy.keys()));

    // the audit: every planned action applied, protected ones skipped, under the apply run
    const runs = await database.pool.query<{ id: number; providers: string[]; state: string }>("SELECT id, providers, state FROM retention_runs WHERE mode = 'apply'");
    expect(runs.rows.map((run) => run.state)).toEqual(['done', 'done', 'done']);
    const log = await retentionLog(database.pool, runs.rows.map((run) => run.id));
    expect(byState(log, 'affogato', 'applied')).toEqual(expected.affogato);
    expect(byState(log, 'mediapocket', 'applied')).toEqual(expected.mediapocket);
    expect(byState(log, 'roughy', 'applied')).toEqual(expected.roughy);
    expect(sorted(byState(log, 'mediapocket', 'skipped').keys())).toEqual(sorted(expected.mediapocketProtected));
    expect(log.filter((row) => row.state === 'skipped').every((row) => row.reason.startsWith('protected tag legal-hold'))).toBe(true);
    expect(log.filter((row) => row.state === 'applied').every((row) => row.applied_at !== null && row.error === null)).toBe(true);
    expect(log.some((row) => row.state === 'failed' || row.state === 'planned')).toBe(false);

    sim.stats.reset();
    const again = await runCli(['retention', 'apply'], env);
    expect(again.code, again.stderr).toBe(0);
    expect(sim.stats.destructiveCalls).toEqual([]);
    const second = await database.pool.query<{ summary: { applied: number; failed: number } }>(
      "SELECT summary FROM retention_runs WHERE mode = 'apply' ORDER BY id DESC LIMIT 3",
    );
    expect(second.rows.map((row) => [row.summary.applied, row.summary.failed])).toEqual([
      [0, 0],
      [0, 0],
      [0, 0],
    ]);
  });
});
