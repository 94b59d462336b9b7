/**
 * `retention apply --plan RUN` as an operator runs it (real processes, simulator over HTTP): exactly the planned
 * set is acted on when nothing changed; assets changed between plan and apply (now protected, removed, no longer
 * matching) are dropped with their reasons printed; a plan too old or drifted too far is refused with nothing
 * sent; `retention runs` and `retention show` list what happened.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { runCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { loadRetentionRules } from '../src/retention/retention-rules.loader.ts';
import { applyReviewedPlan, loadPlanRun } from '../src/retention/retention-reviewed-apply.ts';
import { callsAfterSuccess, expectedPlan, protectSome, rulesYaml, successfulCalls, syncAll, syncAndAge, writeRules } from './retention-fixtures.ts';

const DAY_MS = 86_400_000;
const sorted = (values: Iterable<string>) => [...values].sort();

interface PlanJson {
  providers: Array<{ provider: string; runId: number; actions: Array<{ assetId: string; state: string }> }>;
}

describe('retention apply --plan', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  const prefix = testQueuePrefix();

  /** `retention plan --provider mediapocket`: the plan run's number and the assets it plans to trash. */
  const planMediaPocket = async (): Promise<{ runId: number; planned: string[] }> => {
    const result = await runCli(['retention', 'plan', '--provider', 'mediapocket', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const [plan] = (JSON.parse(result.stdout) as PlanJson).providers;
    if (plan === undefined) throw new Error('no plan printed');
    return { runId: plan.runId, planned: sorted(plan.actions.filter((a) => a.state === 'planned').map((a) => a.assetId)) };
  };

  /** New Media Pocket assets the rules select, brought into the catalog by a complete sync. */
  const addCandidates = async (count: number): Promise<string[]> => {
    const old = new Date(Date.now() - 400 * DAY_MS).toISOString();
    const ids: string[] = [];
    for (let i = 0; i < count; i += 1) ids.push(sim.mediapocket.add({ category: 'sample', tags: ['campaign-2023'], created_date: old, modification_date: old }).id);
    await syncAll(context, ['mediapocket']);
    return ids;
  };

  const runsOfPlan = async (planRunId: number) =>
    (
      await database.pool.query<{ id: number; state: string; started_by: string; refusal: string | null }>(
        'SELECT id::int, state, started_by, refusal FROM retention_runs WHERE plan_run_id = $1 ORDER BY id',
        [planRunId],
      )
    ).rows;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 1313, counts: { affogato: 100, mediapocket: 300, roughy: 100 } });
    protectSome(sim, 2);
    env = workerEnv(sim, database.url, prefix, { RETENTION_RULES: writeRules(rulesYaml()).path });
    context = contextFor(env);
    await syncAndAge(context, sim);
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });
  beforeEach(() => sim.stats.reset());

  it('acts on exactly the planned set when nothing changed, records who started it, and a second apply of the plan does nothing', async () => {
    const expected = sorted(expectedPlan(sim, { days40: [], days70: [] }).mediapocket.keys());
    expect(expected.length).toBeGreaterThan(5);
    const plan = await planMediaPocket();
    expect(plan.planned).toEqual(expected);
    expect(sim.stats.destructiveCalls).toEqual([]);

    const result = await runCli(['retention', 'apply', '--plan', String(plan.runId)], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`plan #${plan.runId} re-checked against the current catalog and rules: ${expected.length} planned, ${expected.length} kept, 0 dropped`);
    expect(result.stdout).toMatch(/provider\s+run\s+planned\s+applied\s+failed\s+skipped\s+left\s+result/);
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map(expected.map((id) => [id, 1])));
    expect(sim.stats.destructiveCalls.every((call) => call.provider === 'mediapocket')).toBe(true);

    const [applyRun, ...others] = await runsOfPlan(plan.runId);
    expect(others).toEqual([]);
    expect(applyRun).toMatchObject({ state: 'done', started_by: 'cli' });
    const planRun = await database.pool.query<{ started_by: string; state: string }>('SELECT started_by, state FROM retention_runs WHERE id = $1', [plan.runId]);
    expect(planRun.rows[0]).toEqual({ started_by: 'cli', state: 'planned' });

    sim.stats.reset();
    const again = await runCli(['retention', 'apply', '--plan', String(plan.runId)], env);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`plan #${plan.runId} was already applied by run #${applyRun?.id} (done): nothing done`);
    expect(sim.stats.destructiveCalls).toEqual([]);
  });

  it('drops exactly the assets changed since the plan (now protected, removed, no longer matching), printing why, and acts on the rest', async () => {
    const added = await addCandidates(30);
    const plan = await planMediaPocket();
    expect(plan.planned).toEqual(sorted(added));
    const [nowProtected, removed, touched] = sorted(added);
    if (nowProtected === undefined || removed === undefined || touched === undefined) throw new Error('too few candidates');
    const held = sim.mediapocket.get(nowProtected);
    sim.mediapocket.update(nowProtected, { tags: [...(held?.tags ?? []), 'legal-hold'], modification_date: held?.modification_date ?? '' });
    sim.mediapocket.remove(removed);
    sim.mediapocket.update(touched, { title: 'edited today' }); // modification_date moves to now: no longer stale
    await syncAll(context, ['mediapocket']);
    sim.stats.reset();

    // 3 of 30 dropped is 10%: within the default RETENTION_PLAN_MAX_DRIFT 0.1
    const result = await runCli(['retention', 'apply', '--plan', String(plan.runId)], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`plan #${plan.runId} re-checked against the current catalog and rules: 30 planned, 27 kept, 3 dropped`);
    const line = (id: string) => result.stdout.split('\n').find((l) => l.startsWith(id)) ?? '';
    expect(line(nowProtected)).toContain('protected now: protected tag legal-hold');
    expect(line(removed)).toContain('no longer present at the provider');
    expect(line(touched)).toContain('no longer selected by any rule');
    // the drift is printed before the apply's table
    expect(result.stdout.indexOf('3 dropped')).toBeLessThan(result.stdout.indexOf('applied'));

    const rest = sorted(added).filter((id) => ![nowProtected, removed, touched].includes(id));
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map(rest.map((id) => [id, 1])));
    expect(sim.mediapocket.isTrashed(nowProtected)).toBe(false);
    expect(sim.mediapocket.isTrashed(touched)).toBe(false);

    const [applyRun] = await runsOfPlan(plan.runId);
    const log = await database.pool.query<{ asset_id: string; state: string; reason: string }>('SELECT asset_id, state, reason FROM retention_log WHERE run_id = $1', [applyRun?.id]);
    const skipped = log.rows.filter((row) => row.state === 'skipped');
    expect(sorted(skipped.map((row) => row.asset_id))).toEqual(sorted([nowProtected, removed, touched]));
    expect(skipped.every((row) => row.reason.startsWith('dropped on re-check: '))).toBe(true);
    expect(log.rows.filter((row) => row.state === 'applied').length).toBe(27);
  });

  it('refuses a plan older than RETENTION_PLAN_MAX_AGE_MINUTES: exit 1, nothing sent, a refused run recorded', async () => {
    await addCandidates(5);
    const plan = await planMediaPocket();
    expect(plan.planned.length).toBe(5);
    // the plan was made two hours ago
    await database.pool.query("UPDATE retention_runs SET evaluated_at = evaluated_at - interval '2 hours' WHERE id = $1", [plan.runId]);
    sim.stats.reset();
    const result = await runCli(['retention', 'apply', '--plan', String(plan.runId)], { ...env, RETENTION_PLAN_MAX_AGE_MINUTES: '60' });
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stderr).toContain(`mediapocket: plan #${plan.runId} refused, nothing done: the plan was made 120 minutes ago`);
    expect(result.stderr).toContain('more than RETENTION_PLAN_MAX_AGE_MINUTES 60');
    expect(sim.stats.destructiveCalls).toEqual([]);
    expect(await runsOfPlan(plan.runId)).toEqual([expect.objectContaining({ state: 'refused', started_by: 'cli' })]);
  });

  it('refuses a plan a complete sync since has changed more than RETENTION_PLAN_MAX_DRIFT: exit 1, nothing sent', async () => {
    const added = await addCandidates(10);
    const plan = await planMediaPocket();
    expect(plan.planned.length).toBe(15); // with the 5 the refused plan left
    for (const id of added.slice(0, 3)) sim.mediapocket.update(id, { title: 'edited today' });
    await syncAll(context, ['mediapocket']);
    sim.stats.reset();
    const result = await runCli(['retention', 'apply', '--plan', String(plan.runId)], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stdout).toContain('15 planned, 12 kept, 3 dropped');
    expect(result.stderr).toContain('changed 3 of its 15 actions (20.0%), more than RETENTION_PLAN_MAX_DRIFT 0.1: plan again');
    expect(sim.stats.destructiveCalls).toEqual([]);
    const [refused] = await runsOfPlan(plan.runId);
    expect(refused?.state).toBe('refused');

    // a larger share allowed: the same plan goes ahead with what still holds
    const allowed = await runCli(['retention', 'apply', '--plan', String(plan.runId)], { ...env, RETENTION_PLAN_MAX_DRIFT: '0.25' });
    expect(allowed.code, `${allowed.stdout}\n${allowed.stderr}`).toBe(0);
    expect(successfulCalls(sim, 'mediapocket').size).toBe(12);
  });

  it('rejects an unknown run, an apply run and --plan with --provider as usage errors (exit 2)', async () => {
    const unknown = await runCli(['retention', 'apply', '--plan', '999999'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('there is no retention run #999999');
    const applyRunId = (await database.pool.query<{ id: number }>("SELECT id::int FROM retention_runs WHERE mode = 'apply' LIMIT 1")).rows[0]?.id;
    const notAPlan = await runCli(['retention', 'apply', '--plan', String(applyRunId)], env);
    expect(notAPlan.code).toBe(2);
    expect(notAPlan.stderr).toContain('is an apply run, not a plan');
    const both = await runCli(['retention', 'apply', '--plan', '1', '--provider', 'mediapocket'], env);
    expect(both.code).toBe(2);
    const malformed = await runCli(['retention', 'apply', '--plan', 'latest'], env);
    expect(malformed.code).toBe(2);
    expect(sim.stats.destructiveCalls).toEqual([]);
  });

  it('lists runs and shows one run with its actions, as text and as JSON', async () => {
    const listed = await runCli(['retention', 'runs', '--provider', 'mediapocket', '--limit', '50', '--json'], env);
    expect(listed.code, listed.stderr).toBe(0);
    const { runs } = JSON.parse(listed.stdout) as {
      runs: Array<{ id: number; mode: string; state: string; startedBy: string; planRunId: number | null; refusal: string | null; counts: Record<string, number> }>;
    };
    expect(runs.every((run) => run.startedBy === 'cli')).toBe(true);
    expect(runs.map((run) => run.id)).toEqual([...runs.map((run) => run.id)].sort((a, b) => b - a));
    const refused = runs.filter((run) => run.state === 'refused');
    expect(refused.length).toBe(2);
    expect(refused.every((run) => run.mode === 'apply' && run.planRunId !== null && (run.refusal ?? '').length > 0)).toBe(true);
    const dropping = runs.find((run) => run.mode === 'apply' && run.counts.skipped === 3 && run.counts.applied === 27);
    expect(dropping).toBeDefined();

    const text = await runCli(['retention', 'runs', '--limit', '3'], env);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/run\s+kind\s+provider\s+state\s+actions\s+started_by\s+started\s+finished\s+refusal/);
    expect(text.stdout.trim().split('\n').length).toBe(1 + 3 + 1); // header, rule line, 3 runs

    const shown = await runCli(['retention', 'show', String(dropping?.id), '--json'], env);
    expect(shown.code, shown.stderr).toBe(0);
    const run = JSON.parse(shown.stdout) as { id: number; planRunId: number; counts: Record<string, number>; actions: Array<{ state: string; reason: string; appliedAt: string | null }> };
    expect(run.planRunId).toBe(dropping?.planRunId);
    expect(run.actions.length).toBe(30);
    expect(run.actions.filter((a) => a.state === 'applied').every((a) => a.appliedAt !== null)).toBe(true);
    expect(run.actions.filter((a) => a.state === 'skipped').every((a) => a.reason.startsWith('dropped on re-check'))).toBe(true);

    const shownText = await runCli(['retention', 'show', String(dropping?.id)], env);
    expect(shownText.code, shownText.stderr).toBe(0);
    expect(shownText.stdout).toContain(`run: #${dropping?.id} apply of #${dropping?.planRunId}`);
    expect(shownText.stdout).toContain('actions: applied 27, skipped 3');
    expect(shownText.stdout).toMatch(/asset_id\s+rule\s+action\s+state\s+applied_at\s+reason \/ error/);
    expect(shownText.stdout).toContain('dropped on re-check: protected now');

    const missing = await runCli(['retention', 'show', '999999'], env);
    expect(missing.code).toBe(2);
  });

  it('an interrupted apply of a plan is finished by the next apply --plan of that plan, each asset acted on once', async () => {
    const added = await addCandidates(20);
    const { runId } = await planMediaPocket();
    const handle = context.providers.get('mediapocket');
    if (handle === undefined) throw new Error('mediapocket not enabled');
    // stopped after its first wave, as SIGINT would stop it; then two actions left as if a kill hit mid-call
    const stop = new AbortController();
    const first = await applyReviewedPlan({
      deps: { pool: context.pool, logger: context.logger, signal: stop.signal, providers: context.registry, startedBy: 'cli', onProgress: () => stop.abort() },
      loaded: await loadRetentionRules(context.config, '/', context.registry),
      plan: await loadPlanRun(context, runId),
      provider: handle.provider,
      limits: { maxAgeMinutes: 60, maxDrift: 0.1 },
    });
    expect(first.kind).toBe('applied');
    expect(first.kind === 'applied' && first.result.pending).toBeGreaterThan(2);
    await database.pool.query(
      "UPDATE retention_actions SET state = 'in_flight', attempts = 1 WHERE id IN (SELECT a.id FROM retention_actions a JOIN retention_runs r ON r.id = a.run_id WHERE r.plan_run_id = $1 AND a.state = 'planned' ORDER BY a.id LIMIT 2)",
      [runId],
    );

    const result = await runCli(['retention', 'apply', '--plan', String(runId)], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stderr).toContain(`plan #${runId}: finished its interrupted apply run #`);
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map(sorted(added).map((id) => [id, 1])));
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    expect(await runsOfPlan(runId)).toEqual([expect.objectContaining({ state: 'done' })]);
  });
});
