/**
 * Apply under trouble, through the same service the command and the job use: 500s, 429s, malformed answers,
 * Affogato archive answers that leave ids out, assets deleted behind the catalog's back (404), a key without
 * permission, and runs interrupted with actions in flight or resumed under changed rules. Each ends with every
 * action applied or recorded failed with its reason, and nothing done twice.
 */
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import type { ProviderName } from '../src/domain/provider-facts.ts';
import { applyRetention, type ProviderApplyOutcome, type ProviderApplyResult } from '../src/retention/retention-apply.ts';
import { loadRetentionRules } from '../src/retention/retention-rules.loader.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';
import {
  affogatoAging,
  callsAfterSuccess,
  expectedPlan,
  protectSome,
  retentionLog,
  rulesYaml,
  successfulCalls,
  syncAndAge,
  writeRules,
  type LogRow,
} from './retention-fixtures.ts';

const sorted = (values: Iterable<string>) => [...values].sort();

function resultOf(outcomes: ProviderApplyOutcome[], provider: ProviderName): ProviderApplyResult {
  const outcome = outcomes.find((o) => o.provider === provider);
  if (outcome === undefined || 'error' in outcome) throw new Error(`${provider}: ${outcome === undefined ? 'no outcome' : String(outcome.error)}`);
  return outcome.result;
}

describe('retention apply under faults and interruptions', () => {
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  const prefix = testQueuePrefix();

  /** `stopAfterFirstWave`: a stop signal arrives as the first outcome is recorded, so the run is left unfinished */
  const apply = async (options: { rules?: string; providers?: ProviderName[]; stopAfterFirstWave?: boolean; on?: AppContext } = {}) => {
    const on = options.on ?? context;
    const loaded = await loadRetentionRules({ retentionRulesPath: writeRules(options.rules ?? rulesYaml()).path, retentionRulesExplicit: true }, '/');
    const providers = (options.providers ?? ['affogato', 'mediapocket', 'roughy']).map((name) => {
      const handle = on.providers.get(name);
      if (handle === undefined) throw new Error(`${name} not enabled`);
      return handle.provider;
    });
    const stop = new AbortController();
    const onProgress = options.stopAfterFirstWave === true ? () => stop.abort() : undefined;
    return applyRetention({ pool: on.pool, logger: on.logger, signal: stop.signal, onProgress }, loaded, providers);
  };
  const logOf = async (runId: number | null): Promise<LogRow[]> => (runId === null ? [] : retentionLog(database.pool, [runId]));

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    await clearPrefix(prefix);
  });
  // each case starts from its own simulator and a freshly synced catalog
  let seed = 500;
  beforeEach(async () => {
    await database.pool.query('TRUNCATE assets, sync_runs, sync_pages, quarantine, retention_actions, retention_runs CASCADE');
    seed += 1;
    sim = await startSimulator({ seed, counts: { affogato: 300, mediapocket: 500, roughy: 500 } });
    protectSome(sim, 2);
    env = workerEnv(sim, database.url, prefix);
    context = contextFor(env);
    await syncAndAge(context, sim);
    sim.stats.reset();
  });
  afterEach(async () => {
    await context.close();
    await sim.close();
  });

  it('stops at a permission error, records every action failed with the reason, and acts on nothing', async () => {
    const wrongKey = contextFor({ ...env, MEDIAPOCKET_API_KEY: 'revoked-key' });
    try {
      const planned = expectedPlan(sim, { days40: [], days70: [] }).mediapocket;
      const outcomes = await apply({ providers: ['mediapocket'], on: wrongKey });
      const result = resultOf(outcomes, 'mediapocket');
      expect(result.stopped?.kind).toBe('permission');
      expect(result.stopped?.message).toMatch(/^permission denied by mediapocket: .*HTTP 401.*; check the key's permissions \(MEDIAPOCKET_API_KEY\)$/);
      expect(result).toMatchObject({ planned: planned.size, applied: 0, failed: planned.size, pending: 0 });
      const log = await logOf(result.runId);
      expect(log.filter((row) => row.state === 'failed').length).toBe(planned.size);
      const attempted = log.filter((row) => row.error?.startsWith('permission denied by mediapocket'));
      const notAttempted = log.filter((row) => row.error?.startsWith('not attempted: permission denied by mediapocket'));
      expect(attempted.length + notAttempted.length).toBe(planned.size);
      // the first wave's calls were all refused; nothing after them was sent
      expect(attempted.length).toBeLessThanOrEqual(4);
      expect(sim.stats.destructiveCalls.length).toBe(attempted.length);
      expect(sim.stats.destructiveCalls.every((call) => call.status === 401)).toBe(true);
      expect(sim.mediapocket.allTrashed()).toEqual([]);
      const run = await database.pool.query<{ state: string }>('SELECT state FROM retention_runs WHERE id = $1', [result.runId]);
      expect(run.rows[0]?.state).toBe('failed');
    } finally {
      await wrongKey.close();
    }
  });

  it('ends with every action applied or failed with its reason, none done twice, through 500s, 429s, partial archive answers and 404s', async () => {
    const expected = expectedPlan(sim, affogatoAging(sim));
    // deleted at the provider after the sync: the destructive call answers 404 (Affogato leaves them out)
    const gone = {
      affogato: sorted(expected.affogato.keys()).slice(0, 3),
      mediapocket: sorted(expected.mediapocket.keys()).slice(0, 3),
      roughy: sorted(expected.roughy.keys()).slice(0, 3),
    };
    for (const id of gone.affogato) sim.affogato.remove(id);
    for (const id of gone.mediapocket) sim.mediapocket.remove(id);
    for (const id of gone.roughy) sim.roughy.remove(id);
    const archivedBefore = new Set(sim.affogato.archivedIds());
    // (no malformed 200s here: the simulator counts them as 2xx though they change nothing, which would blur
    // the "never twice" count below; the HTTP path retries them like 500s)
    const noisy = { rate500: 0.2, rate429: 0.2, retryAfterSeconds: 0 };
    // every archive answer leaves about half the ids out: each is sent again, up to three times in all
    sim.setFaults('affogato', { ...noisy, rateArchivePartial: 1 });
    sim.setFaults('mediapocket', noisy);
    sim.setFaults('roughy', noisy);

    const outcomes = await apply();
    for (const provider of ['affogato', 'mediapocket', 'roughy'] as const) {
      const result = resultOf(outcomes, provider);
      const log = await logOf(result.runId);
      const planned = expected[provider];
      expect(result.pending, provider).toBe(0);
      expect(result.applied + result.failed, provider).toBe(planned.size);
      // every decided action ended applied or failed, and a failure says why
      const acted = log.filter((row) => row.state !== 'skipped');
      expect(new Set(acted.map((row) => row.asset_id)), provider).toEqual(new Set(planned.keys()));
      expect(acted.every((row) => row.state === 'applied' || (row.state === 'failed' && (row.error ?? '') !== '')), provider).toBe(true);
      // the ones already gone are recorded as such, not failed
      for (const id of gone[provider]) {
        const row = acted.find((r) => r.asset_id === id);
        expect(row?.state, `${provider} ${id}`).toBe('applied');
        expect(row?.reason).toContain('already gone at the provider (404)');
      }
      expect(sim.stats.count(provider, undefined, 500) + sim.stats.count(provider, undefined, 429), provider).toBeGreaterThan(0);
    }

    // what the log says was applied is exactly what happened at each provider, and nothing more
    const applied = async (provider: ProviderName) => {
      const result = resultOf(outcomes, provider);
      return new Set((await logOf(result.runId)).filter((row) => row.state === 'applied').map((row) => row.asset_id));
    };
    const archivedNow = sim.affogato.archivedIds().filter((id) => !archivedBefore.has(id));
    const affogatoApplied = await applied('affogato');
    expect(sorted(archivedNow)).toEqual(sorted([...affogatoApplied].filter((id) => !gone.affogato.includes(id))));
    const mediapocketApplied = await applied('mediapocket');
    expect(sorted(sim.mediapocket.allTrashed().map((a) => a.id))).toEqual(sorted([...mediapocketApplied].filter((id) => !gone.mediapocket.includes(id))));
    const roughyApplied = await applied('roughy');
    for (const id of expected.roughy.keys()) expect(sim.roughy.get(id) === undefined, id).toBe(roughyApplied.has(id));

    // none done twice: no trash or delete is sent again for an asset once one succeeded
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    expect(callsAfterSuccess(sim, 'roughy')).toEqual([]);
    expect([...successfulCalls(sim, 'mediapocket').values()].every((n) => n === 1)).toBe(true);
    expect([...successfulCalls(sim, 'roughy').values()].every((n) => n === 1)).toBe(true);
    // Affogato left ids out of its answers: those were sent again, never more than three times, and the ones
    // still not archived after that are recorded failed with the reason (and really are not archived)
    const sends = new Map<string, number>();
    for (const call of sim.stats.destructiveCalls.filter((c) => c.provider === 'affogato' && c.status === 200)) {
      for (const id of call.assetIds) sends.set(id, (sends.get(id) ?? 0) + 1);
    }
    expect(Math.max(...sends.values())).toBe(3);
    expect([...sends.keys()].every((id) => expected.affogato.has(id))).toBe(true);
    const affogatoFailed = (await logOf(resultOf(outcomes, 'affogato').runId)).filter((row) => row.state === 'failed');
    expect(affogatoFailed.length).toBeGreaterThan(0);
    for (const row of affogatoFailed) {
      expect(row.error).toBe('affogato did not archive it in 3 attempts (left out of the answer)');
      expect(sim.affogato.isArchived(row.asset_id), row.asset_id).toBe(false);
      expect(sends.get(row.asset_id)).toBe(3);
    }
  });

  it('settles actions left in flight by lookup before sending anything, and performs the rest exactly once', async () => {
    const planned = expectedPlan(sim, { days40: [], days70: [] }).mediapocket;
    // an apply stopped after its first wave: the run is left with most actions planned
    const stopped = resultOf(await apply({ providers: ['mediapocket'], stopAfterFirstWave: true }), 'mediapocket');
    expect(stopped.stopped?.kind).toBe('signal');
    expect(stopped.applied).toBe(4);
    expect(stopped.pending).toBe(planned.size - 4);
    const firstWave = new Set(successfulCalls(sim, 'mediapocket').keys());
    expect(firstWave.size).toBe(4);

    // as a crash would leave it: six actions claimed, and three of those calls reached the provider
    const claimed = await database.pool.query<{ asset_id: string }>(
      "UPDATE retention_actions SET state = 'in_flight', attempts = 1 WHERE id IN (SELECT id FROM retention_actions WHERE run_id = $1 AND state = 'planned' ORDER BY id LIMIT 6) RETURNING asset_id",
      [stopped.runId],
    );
    const reached = claimed.rows.slice(0, 3).map((row) => row.asset_id);
    for (const id of reached) sim.mediapocket.trash(id);

    const resumed = resultOf(await apply({ providers: ['mediapocket'] }), 'mediapocket');
    expect(resumed).toMatchObject({ runId: stopped.runId, resumed: true, applied: planned.size, failed: 0, pending: 0 });
    const calls = successfulCalls(sim, 'mediapocket');
    for (const id of reached) expect(calls.get(id), id).toBeUndefined();
    expect(sorted(calls.keys())).toEqual(sorted([...planned.keys()].filter((id) => !reached.includes(id))));
    expect([...calls.values()].every((n) => n === 1)).toBe(true);
    expect(callsAfterSuccess(sim, 'mediapocket')).toEqual([]);
    expect(sorted(sim.mediapocket.allTrashed().map((a) => a.id))).toEqual(sorted(planned.keys()));
    // the only reads: one lookup per action that was in flight
    expect(sim.stats.count('mediapocket', 'get')).toBe(6);
  });

  it('finishes an interrupted run only for the assets the current rules still select', async () => {
    const stopped = resultOf(await apply({ providers: ['roughy'], stopAfterFirstWave: true }), 'roughy');
    const atStop = await logOf(stopped.runId);
    const firstWave = new Set(atStop.filter((row) => row.state === 'applied').map((row) => row.asset_id));
    const pending = atStop.filter((row) => row.state === 'planned');
    expect(firstWave.size).toBe(4);
    expect(pending.length).toBeGreaterThan(4);
    // the operator tightens the rule before running apply again: only failed assets over 200 days old now
    const tightened = rulesYaml().replace(/status: \[failed\]\n {6}olderThanDays: 30/, 'status: [failed]\n      olderThanDays: 200');
    expect(tightened).not.toEqual(rulesYaml());
    const now = Date.now();
    const stillSelected = new Set(pending.filter((row) => now - Date.parse(sim.roughy.get(row.asset_id)?.created_at ?? '') > 200 * 86_400_000).map((row) => row.asset_id));
    expect(stillSelected.size).toBeGreaterThan(0);
    expect(stillSelected.size).toBeLessThan(pending.length);

    const resumed = resultOf(await apply({ providers: ['roughy'], rules: tightened }), 'roughy');
    expect(resumed).toMatchObject({ runId: stopped.runId, resumed: true, applied: firstWave.size + stillSelected.size, failed: 0, pending: 0 });
    const log = await logOf(stopped.runId);
    expect(new Set(log.filter((row) => row.state === 'applied').map((row) => row.asset_id))).toEqual(new Set([...firstWave, ...stillSelected]));
    const dropped = log.filter((row) => row.state === 'skipped');
    expect(dropped.length).toBe(pending.length - stillSelected.size);
    expect(dropped.every((row) => row.reason.startsWith('no longer selected by the rules when the run resumed'))).toBe(true);
    for (const row of dropped) expect(sim.roughy.get(row.asset_id), row.asset_id).toBeDefined();
    expect(sorted(successfulCalls(sim, 'roughy').keys())).toEqual(sorted([...firstWave, ...stillSelected]));
  });

  it('re-checks the guards when it resumes: a catalog gone stale since the interruption stops the rest', async () => {
    const stopped = resultOf(await apply({ providers: ['roughy'], stopAfterFirstWave: true }), 'roughy');
    expect(stopped.pending).toBeGreaterThan(0);
    const callsBefore = sim.stats.destructiveCalls.length;
    await database.pool.query("UPDATE sync_runs SET finished_at = finished_at - interval '2 hours' WHERE provider = 'roughy'");

    const resumed = resultOf(await apply({ providers: ['roughy'] }), 'roughy');
    expect(resumed).toMatchObject({ runId: stopped.runId, resumed: true, applied: 4, pending: 0 });
    expect(resumed.refused?.limit).toBe('stale_catalog');
    expect(sim.stats.destructiveCalls.length).toBe(callsBefore);
    const log = await logOf(stopped.runId);
    const skipped = log.filter((row) => row.state === 'skipped');
    expect(skipped.length).toBe(stopped.pending);
    expect(skipped.every((row) => row.reason.startsWith('apply refused when the run resumed: the last complete sync finished'))).toBe(true);
    const run = await database.pool.query<{ state: string; refusal: string }>('SELECT state, refusal FROM retention_runs WHERE id = $1', [stopped.runId]);
    expect(run.rows[0]?.state).toBe('refused');
  });
});
