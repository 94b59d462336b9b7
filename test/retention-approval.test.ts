/**
 * Approval mode (RETENTION_MODE=approve) with the real worker (runWorker: schedules, BullMQ, the admin server) on a
 * seconds cron: the scheduled retention only records plans awaiting approval, sending nothing over two ticks and
 * more; `retention approve` then carries out exactly the approved plan, as does the admin endpoint with the token
 * (and not without it); an expired plan is refused and marked expired.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import { runWorker, type RunningWorker } from '../src/app/run-worker.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { runCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import { expectedPlan, protectSome, rulesYaml, successfulCalls, syncAndAge, writeRules, type ExpectedPlan } from './retention-fixtures.ts';

const TOKEN = 'approve-t0ken';
const HOUR_MS = 3_600_000;

interface PlanRow {
  id: number;
  state: string;
  started_by: string;
  evaluated_at: Date;
  expires_at: Date | null;
  approved_at: Date | null;
  approved_by: string | null;
}

describe('approval mode', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  let expected: ExpectedPlan;
  let worker: RunningWorker;
  const controller = new AbortController();

  const awaiting = async (provider: string): Promise<PlanRow[]> =>
    (
      await database.pool.query<PlanRow>(
        `SELECT id::int, state, started_by, evaluated_at, expires_at, approved_at, approved_by FROM retention_runs
          WHERE mode = 'plan' AND providers = ARRAY[$1]::text[] AND state = 'awaiting_approval' ORDER BY id`,
        [provider],
      )
    ).rows;
  const planRow = async (id: number): Promise<PlanRow | undefined> =>
    (await database.pool.query<PlanRow>('SELECT id::int, state, started_by, evaluated_at, expires_at, approved_at, approved_by FROM retention_runs WHERE id = $1', [id])).rows[0];
  const appliesOf = async (planRunId: number) =>
    (await database.pool.query<{ state: string; started_by: string }>('SELECT state, started_by FROM retention_runs WHERE plan_run_id = $1', [planRunId])).rows;
  const approveOverHttp = (id: number | string, headers: Record<string, string>, body: unknown = {}) =>
    fetch(`${worker.adminUrl}/admin/retention/runs/${id}/approve`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 1414, counts: { affogato: 100, mediapocket: 250, roughy: 200 } });
    protectSome(sim, 1);
    env = workerEnv(sim, database.url, prefix, {
      RETENTION_RULES: writeRules(rulesYaml()).path,
      RETENTION_MODE: 'approve',
      RETENTION_CRON: '*/2 * * * * *',
      SYNC_CRON: '0 5 1 1 *',
      ADMIN_PORT: '0',
      ADMIN_TOKEN: TOKEN,
    });
    context = contextFor(env);
    expected = expectedPlan(sim, await syncAndAge(context, sim));
    sim.stats.reset();
    worker = await runWorker(context, { signal: controller.signal, adminHost: '127.0.0.1' });
  });
  afterAll(async () => {
    controller.abort();
    await worker.stopped;
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('only records plans awaiting approval on each tick, sending nothing', async () => {
    expect(expected.mediapocket.size).toBeGreaterThan(3);
    expect(expected.roughy.size).toBeGreaterThan(3);
    await waitFor(async () => ((await awaiting('mediapocket')).length >= 2 && (await awaiting('roughy')).length >= 2 ? true : undefined), 200);
    const plans = await awaiting('mediapocket');
    for (const plan of plans) {
      expect(plan.started_by).toBe('schedule');
      expect((plan.expires_at?.getTime() ?? 0) - plan.evaluated_at.getTime()).toBe(72 * HOUR_MS);
    }
    expect(sim.stats.destructiveCalls).toEqual([]);
  });

  it('retention approve carries out exactly the approved plan, recording who approved it', async () => {
    const plan = (await awaiting('mediapocket')).at(-1);
    if (plan === undefined) throw new Error('no plan awaiting approval');
    const result = await runCli(['retention', 'approve', String(plan.id), '--by', 'alice'], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
    expect(result.stdout).toContain(`plan #${plan.id} re-checked against the current catalog and rules: ${expected.mediapocket.size} planned, ${expected.mediapocket.size} kept, 0 dropped`);
    expect(successfulCalls(sim, 'mediapocket')).toEqual(new Map([...expected.mediapocket.keys()].map((id) => [id, 1])));
    // nothing approved elsewhere: nothing sent elsewhere, tick after tick
    const ticksBefore = (await awaiting('roughy')).length;
    await waitFor(async () => ((await awaiting('roughy')).length > ticksBefore ? true : undefined), 200);
    expect(sim.stats.destructiveCalls.filter((call) => call.provider !== 'mediapocket')).toEqual([]);

    expect(await planRow(plan.id)).toMatchObject({ state: 'planned', approved_by: 'alice', approved_at: expect.any(Date) });
    expect(await appliesOf(plan.id)).toEqual([{ state: 'done', started_by: 'cli' }]);
  });

  it('the admin endpoint approves with the token only, and answers what it did', async () => {
    const plan = (await awaiting('roughy')).at(-1);
    if (plan === undefined) throw new Error('no plan awaiting approval');
    expect((await approveOverHttp(plan.id, {})).status).toBe(401);
    expect((await approveOverHttp(plan.id, { authorization: 'Bearer wrong' })).status).toBe(401);
    expect(sim.stats.destructiveCalls.filter((call) => call.provider === 'roughy')).toEqual([]);
    expect((await planRow(plan.id))?.state).toBe('awaiting_approval');

    expect((await approveOverHttp(999_999, { authorization: `Bearer ${TOKEN}` })).status).toBe(404);
    expect((await approveOverHttp('x1', { authorization: `Bearer ${TOKEN}` })).status).toBe(400);

    const response = await approveOverHttp(plan.id, { authorization: `Bearer ${TOKEN}` }, { by: 'bob' });
    const body = (await response.json()) as { outcome: string; run: { applied: number; failed: number }; drift: { kept: number; dropped: unknown[] } };
    expect(response.status, JSON.stringify(body)).toBe(200);
    expect(body).toMatchObject({ outcome: 'applied', run: { applied: expected.roughy.size, failed: 0 }, drift: { kept: expected.roughy.size, dropped: [] } });
    expect(successfulCalls(sim, 'roughy')).toEqual(new Map([...expected.roughy.keys()].map((id) => [id, 1])));
    expect(await planRow(plan.id)).toMatchObject({ state: 'planned', approved_by: 'bob' });
    expect(await appliesOf(plan.id)).toEqual([{ state: 'done', started_by: 'admin' }]);

    // approving it again carries nothing out twice
    const again = await approveOverHttp(plan.id, { authorization: `Bearer ${TOKEN}` });
    expect(again.status).toBe(200);
    expect(((await again.json()) as { outcome: string }).outcome).toBe('already_applied');
    expect(successfulCalls(sim, 'roughy').size).toBe(expected.roughy.size);
  });

  it('refuses an expired plan (exit 1, nothing sent) and marks it expired', async () => {
    const plan = (await awaiting('affogato')).at(-1);
    if (plan === undefined) throw new Error('no plan awaiting approval');
    // its approval window closed a minute ago
    await database.pool.query("UPDATE retention_runs SET expires_at = now() - interval '1 minute' WHERE id = $1", [plan.id]);
    const result = await runCli(['retention', 'approve', String(plan.id)], env);
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
    expect(result.stderr).toContain(`plan #${plan.id} expired unapproved at`);
    expect((await planRow(plan.id))?.state).toBe('expired');
    expect(await appliesOf(plan.id)).toEqual([]);
    expect(sim.stats.destructiveCalls.filter((call) => call.provider === 'affogato')).toEqual([]);

    // apply --plan cannot go round the approval: a plan awaiting approval is a usage error, an expired one refused
    const other = (await awaiting('affogato')).at(-1);
    if (other === undefined) throw new Error('no other plan awaiting approval');
    const bypass = await runCli(['retention', 'apply', '--plan', String(other.id)], env);
    expect(bypass.code).toBe(2);
    expect(bypass.stderr).toContain(`plan #${other.id} is awaiting approval: approve it with \`retention approve ${other.id}\``);
    const expiredAgain = await runCli(['retention', 'apply', '--plan', String(plan.id)], env);
    expect(expiredAgain.code).toBe(1);
    expect(sim.stats.destructiveCalls.filter((call) => call.provider === 'affogato')).toEqual([]);
  });

  it('an approved plan is still bounded by its expiry: carried out past it, it is refused (exit 1, nothing sent)', async () => {
    const plan = (await awaiting('affogato')).at(-1);
    if (plan === undefined) throw new Error('no plan awaiting approval');
    // approved in its window, its apply then refused or stopped; someone carries it out after the window closed
    await database.pool.query(
      "UPDATE retention_runs SET state = 'planned', approved_at = now() - interval '2 hours', approved_by = 'carol', expires_at = now() - interval '1 minute' WHERE id = $1",
      [plan.id],
    );
    for (const command of [['retention', 'apply', '--plan', String(plan.id)], ['retention', 'approve', String(plan.id)]]) {
      const result = await runCli(command, env);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(`${result.stdout}\n${result.stderr}`).toContain(`plan #${plan.id} expired at`);
    }
    expect(sim.stats.destructiveCalls.filter((call) => call.provider === 'affogato')).toEqual([]);
  });
});
