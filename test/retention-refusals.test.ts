/**
 * What stops `retention apply` before any destructive call: a stale catalog, a partial listing, a plan over
 * maxActionsPerRun or maxCatalogFraction (exit 1, the run recorded as refused with the numbers), and a bad rules
 * file (exit 2, naming the file, the line and the problem). Every case makes zero destructive calls.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { emptyWorkDir, runCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { affogatoAging, ageAssets, rulesYaml, syncAll, writeRules, type SafetyOverrides } from './retention-fixtures.ts';

describe('retention apply refuses, and nothing is done', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let baseEnv: Record<string, string>;
  const prefix = testQueuePrefix();

  const envWith = (safety: SafetyOverrides) => ({ ...baseEnv, RETENTION_RULES: writeRules(rulesYaml(safety)).path });
  const refusedRuns = async () =>
    (await database.pool.query<{ providers: string[]; refusal: string }>("SELECT providers, refusal FROM retention_runs WHERE state = 'refused' ORDER BY id")).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 77, counts: { affogato: 200, mediapocket: 300, roughy: 300 } });
    baseEnv = workerEnv(sim, database.url, prefix);
    context = contextFor(baseEnv);
    await syncAll(context);
    const aging = affogatoAging(sim);
    await ageAssets(database.pool, 'affogato', aging.days70, 70);
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });
  beforeEach(async () => {
    await database.pool.query('DELETE FROM retention_actions');
    await database.pool.query('DELETE FROM retention_runs');
    sim.stats.reset();
  });

  it('refuses a plan over maxActionsPerRun, at every provider, naming the numbers', async () => {
    const result = await runCli(['retention', 'apply'], envWith({ maxActionsPerRun: 3 }));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/affogato: refused, nothing done: the plan has \d+ actions, more than maxActionsPerRun 3/);
    expect(result.stderr).toMatch(/mediapocket: refused, nothing done: the plan has \d+ actions, more than maxActionsPerRun 3/);
    expect(result.stderr).toMatch(/roughy: refused, nothing done: the plan has \d+ actions, more than maxActionsPerRun 3/);
    expect(result.stdout).toContain('refused (max_actions)');
    expect(sim.stats.destructiveCalls).toEqual([]);
    const runs = await refusedRuns();
    expect(runs.map((run) => run.providers[0]).sort()).toEqual(['affogato', 'mediapocket', 'roughy']);
    // a refused run records the decision, not a plan to act on
    expect((await database.pool.query('SELECT 1 FROM retention_actions')).rowCount).toBe(0);
  });

  it('refuses a plan over maxCatalogFraction of the live catalog', async () => {
    const result = await runCli(['retention', 'apply', '--provider', 'affogato'], envWith({ maxCatalogFraction: 0.05 }));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/affogato: refused, nothing done: the plan has \d+ actions, [\d.]+% of the 200 live assets, more than maxCatalogFraction 0.05 allows \(at most 10\)/);
    expect(sim.stats.destructiveCalls).toEqual([]);
    expect((await refusedRuns()).map((run) => run.providers[0])).toEqual(['affogato']);
  });

  it('refuses to act on a catalog whose last complete sync is older than maxSyncAgeMinutes', async () => {
    await database.pool.query("UPDATE sync_runs SET finished_at = finished_at - interval '2 hours' WHERE provider = 'roughy'");
    try {
      const result = await runCli(['retention', 'apply', '--provider', 'roughy'], envWith({ maxSyncAgeMinutes: 60 }));
      expect(result.code, result.stderr).toBe(1);
      expect(result.stderr).toMatch(/roughy: refused, nothing done: the last complete sync finished 1[23]\d minutes ago \(.+\), more than maxSyncAgeMinutes 60: run sync first/);
      expect(sim.stats.destructiveCalls).toEqual([]);
    } finally {
      await database.pool.query("UPDATE sync_runs SET finished_at = finished_at + interval '2 hours' WHERE provider = 'roughy'");
    }
  });

  it('refuses when the last listing was partial, even though an earlier complete sync is fresh', async () => {
    // an empty listing of a catalog the detail endpoint still confirms: the sync ends partial
    sim.setFaults('mediapocket', { emptyListing: true });
    const partial = contextFor(baseEnv);
    try {
      const handle = partial.providers.get('mediapocket');
      if (handle === undefined) throw new Error('mediapocket not enabled');
      const summary = await syncProvider({ pool: partial.pool, logger: partial.logger }, handle.provider);
      expect(summary.state).toBe('partial');
    } finally {
      sim.setFaults('mediapocket', undefined);
      await partial.close();
    }
    sim.stats.reset();
    const result = await runCli(['retention', 'apply', '--provider', 'mediapocket'], envWith({}));
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/mediapocket: refused, nothing done: the last listing was partial \(.+\)/);
    expect(sim.stats.destructiveCalls).toEqual([]);
    await syncAll(context, ['mediapocket']);
  });

  it('exits 2 naming the file, the line and the problem for bad rules files, before doing anything', async () => {
    const cases: Array<{ yaml: string; name?: string; message: string }> = [
      {
        yaml: 'rules:\n  - name: r\n    provider: affogato\n    action: archive\n    when:\n      olderThenDays: 30\n',
        message: 'retention.yaml line 6: rule "r": unknown condition "olderThenDays" (did you mean "olderThanDays"?)',
      },
      {
        yaml: 'rules:\n  - name: r\n    provider: roughy\n    action: trash\n    when: {status: [failed]}\n',
        message: 'retention.yaml line 4: rule "r": roughy does not support "trash": its retention action is "delete"',
      },
      {
        yaml: 'safety:\n  maxActionsPerRun: lots\nrules: []\n',
        message: 'retention.yaml line 2: safety: "maxActionsPerRun" must be a whole number, 0 or more (got "lots")',
      },
      {
        yaml: '{\n  "rules": [\n    {"name": "j", "provider": "dropbox", "action": "delete", "when": {"status": ["failed"]}}\n  ]\n}\n',
        name: 'retention.json',
        message: 'line 3: rule "j": unknown provider "dropbox": "provider" must be one of affogato, mediapocket, roughy',
      },
    ];
    const results = await Promise.all(
      cases.map((c) => {
        const rules = writeRules(c.yaml, c.name);
        // the default file name, found in the working directory
        return c.name === undefined ? runCli(['retention', 'apply'], baseEnv, rules.dir) : runCli(['retention', 'apply'], { ...baseEnv, RETENTION_RULES: rules.path });
      }),
    );
    results.forEach((result, i) => {
      expect(result.code, result.stderr).toBe(2);
      expect(result.stderr).toContain(cases[i]?.message);
    });
    expect(sim.stats.destructiveCalls).toEqual([]);
    expect((await database.pool.query('SELECT 1 FROM retention_runs')).rowCount).toBe(0);
  });

  it('treats a missing default rules file as no rules, and a missing named file as a configuration error', async () => {
    const [plan, apply, named] = await Promise.all([
      runCli(['retention', 'plan'], baseEnv, emptyWorkDir()),
      runCli(['retention', 'apply'], baseEnv, emptyWorkDir()),
      runCli(['retention', 'apply'], { ...baseEnv, RETENTION_RULES: '/nonexistent/rules.yaml' }),
    ]);
    expect(plan.code, plan.stderr).toBe(0);
    expect(plan.stdout).toContain('No retention rules: retention.yaml does not exist, so nothing is planned.');
    expect(apply.code, apply.stderr).toBe(0);
    expect(apply.stdout).toContain('nothing to do');
    expect(named.code).toBe(2);
    expect(named.stderr).toContain('RETENTION_RULES: the rules file /nonexistent/rules.yaml does not exist');
    expect(sim.stats.destructiveCalls).toEqual([]);
  });
});
