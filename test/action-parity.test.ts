/**
 * Every outcome case of the action engine through BOTH of its users: retention (a real apply run in Postgres)
 * and bulk (a real bulk operation and its chunks). Each case must leave the same recorded result per asset and
 * make the same provider calls in both, including the two cases where the old copies disagreed (an id left out
 * of the answer; a 404 on a multi-id call).
 *
 * The cases the simulator can produce run through the real adapters over HTTP against it. The rest use a
 * scripted stand-in implementing AssetProvider (it records its calls): they need an exact answer per call
 * (leave this id out once, fail the third call, a 404 on a multi-id call), which the simulator's fault rates
 * cannot promise. Postgres is real, as everywhere.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runActionChunk } from '../src/bulk/bulk-action-chunk.ts';
import { createOperation, loadOpenChunkItems, openChunks } from '../src/db/bulk.repository.ts';
import { planItems } from '../src/domain/bulk-plan.ts';
import { ProviderError, type ProviderErrorKind } from '../src/errors.ts';
import { createLogger } from '../src/logger.ts';
import type { ProviderName } from '../src/domain/provider-facts.ts';
import type { ActionResult, AssetAction, AssetProvider, LookupResult } from '../src/providers/provider.ts';
import { executeRun, verifyInFlight } from '../src/retention/retention-executor.ts';
import { GONE_NOTE } from '../src/retention/retention-ledger.ts';
import { LockLostError } from '../src/db/provider-lock.ts';
import { insertRunWithActions } from '../src/db/retention.repository.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import type { FaultConfig } from '../src/simulator/simulator.types.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

type AssetState = 'present' | 'applied' | 'gone';
/** What one perform call does: changes the provider's state and answers, or fails as a whole. */
type CallScript = (ids: string[], world: Map<string, AssetState>) => ActionResult | { fail: ProviderErrorKind; applied?: string[] };

interface Case {
  name: string;
  provider: 'affogato' | 'mediapocket';
  ids: string[];
  /** the provider's state before anything is sent (default: every id present) */
  world?: Record<string, AssetState>;
  /** ids found in flight when the run starts (an earlier attempt died mid-call) */
  inFlight?: string[];
  /** per perform call in order; the last one repeats */
  calls: CallScript[];
  /** a stop signal arrives during this many-th perform call */
  signalOnCall?: number;
  /** ids whose lookup fails */
  lookupFails?: string[];
  /** bulk: items per chunk (all in one chunk unless given) */
  chunkSize?: number;
  expected: {
    /** per asset: done | gone | failed/<why> | open */
    recorded: Record<string, string>;
    performs: string[][];
    lookups: string[];
    stopped?: 'permission' | 'unavailable' | 'signal';
    throws?: boolean;
  };
}

const ACTION: Record<Case['provider'], 'archive' | 'trash'> = { affogato: 'archive', mediapocket: 'trash' };
const BATCH: Record<Case['provider'], number> = { affogato: 50, mediapocket: 1 };

/** Applies and answers done for every id. */
const doneAll: CallScript = (ids, world) => {
  for (const id of ids) world.set(id, 'applied');
  return { done: ids, gone: [], notDone: [] };
};
/** Acts on every id but `leftOut` and answers for those it acted on: a partial batch answer. */
const leaveOut =
  (leftOut: string, appliesAnyway = false): CallScript =>
  (ids, world) => {
    const acted = ids.filter((id) => id !== leftOut);
    for (const id of acted) world.set(id, 'applied');
    if (appliesAnyway && ids.includes(leftOut)) world.set(leftOut, 'applied');
    return { done: acted, gone: [], notDone: [] };
  };
const failWith =
  (kind: ProviderErrorKind, applied: string[] = []): CallScript =>
  () => ({ fail: kind, applied });

const MESSAGES: Record<ProviderErrorKind, string> = {
  auth: 'HTTP 401 unauthorized',
  not_found: 'HTTP 404 not found',
  permanent: 'HTTP 422 refused',
  retryable: 'HTTP 503 unavailable',
  rate_limited: 'HTTP 429 rate limited',
};

class ScriptedProvider implements AssetProvider {
  readonly supportedActions: readonly AssetAction[];
  readonly listingConcurrency = 1;
  readonly performs: string[][] = [];
  readonly lookups: string[] = [];
  private readonly world: Map<string, AssetState>;
  private call = 0;
  readonly stop = new AbortController();

  constructor(
    readonly name: ProviderName,
    private readonly testCase: Case,
  ) {
    this.supportedActions = [ACTION[testCase.provider]];
    this.world = new Map(testCase.ids.map((id) => [id, testCase.world?.[id] ?? 'present']));
  }

  list(): AsyncIterable<never> {
    throw new Error('not listed in this test');
  }
  batchSize(): number {
    return BATCH[this.testCase.provider];
  }
  async perform(_action: AssetAction, assetIds: string[]): Promise<ActionResult> {
    this.performs.push([...assetIds].sort());
    const script = this.testCase.calls[Math.min(this.call, this.testCase.calls.length - 1)];
    this.call += 1;
    if (this.call === this.testCase.signalOnCall) this.stop.abort();
    if (script === undefined) throw new Error('no call scripted');
    const answer = script(assetIds, this.world);
    if ('fail' in answer) {
      for (const id of answer.applied ?? []) this.world.set(id, 'applied');
      throw new ProviderError(MESSAGES[answer.fail], { provider: this.name, kind: answer.fail, operation: 'perform' });
    }
    return answer;
  }
  async lookup(assetId: string): Promise<LookupResult> {
    this.lookups.push(assetId);
    if (this.testCase.lookupFails?.includes(assetId)) {
      throw new ProviderError('HTTP 503 on lookup', { provider: this.name, kind: 'retryable', operation: 'get' });
    }
    const state = this.world.get(assetId) ?? 'gone';
    if (state === 'gone') return { state: 'gone' };
    return { state: 'present', item: { ok: false, reason: state, assetId, raw: null } };
  }
  effectSeen(_action: AssetAction, lookup: LookupResult) {
    if (lookup.state === 'gone') return 'gone' as const;
    return lookup.state === 'present' && !lookup.item.ok && lookup.item.reason === 'applied' ? ('applied' as const) : ('not_applied' as const);
  }
  catalogEffect(action: AssetAction) {
    return action === 'archive' ? ({ kind: 'status', status: 'archive' } as const) : ({ kind: 'trashed' } as const);
  }
}

/** The recorded words, reduced to what the case asserts: the outcome and why it failed. */
function failureWhy(error: string | null): string {
  if (error === null) return 'failed/?';
  if (error.startsWith('not attempted: permission denied')) return 'failed/not_attempted:permission';
  if (error.startsWith('not attempted: ') && error.includes('kept failing')) return 'failed/not_attempted:unavailable';
  if (error.startsWith('permission denied by ')) return 'failed/permission';
  if (error.includes('could not be checked')) return 'failed/unverified';
  if (/did not \w+ it in 3 attempts/.test(error)) return 'failed/exhausted';
  return `failed/${error}`;
}

const sortedCalls = (calls: string[][]) => calls.map((call) => call.join(',')).sort();

const CASES: Case[] = [
  {
    name: 'done in one multi-id call',
    provider: 'affogato',
    ids: ['a1', 'a2', 'a3'],
    calls: [doneAll],
    expected: { recorded: { a1: 'done', a2: 'done', a3: 'done' }, performs: [['a1', 'a2', 'a3']], lookups: [] },
  },
  {
    name: 'already gone: a 404 on a single-id call',
    provider: 'mediapocket',
    ids: ['m1'],
    world: { m1: 'gone' },
    calls: [failWith('not_found')],
    expected: { recorded: { m1: 'gone' }, performs: [['m1']], lookups: [] },
  },
  {
    name: 'a 404 on a multi-id call: each asset looked up (drift case)',
    provider: 'affogato',
    ids: ['a1', 'a2', 'a3'],
    world: { a1: 'gone', a2: 'present', a3: 'applied' },
    calls: [failWith('not_found')],
    expected: {
      recorded: { a1: 'gone', a2: `failed/${MESSAGES.not_found}`, a3: 'done' },
      performs: [['a1', 'a2', 'a3']],
      lookups: ['a1', 'a2', 'a3'],
    },
  },
  {
    name: 'left out of the answer once, done on the next call (drift case)',
    provider: 'affogato',
    ids: ['a1', 'a2'],
    calls: [leaveOut('a2'), doneAll],
    expected: { recorded: { a1: 'done', a2: 'done' }, performs: [['a1', 'a2'], ['a2']], lookups: [] },
  },
  {
    name: 'left out of every answer until its attempts run out, then found done by lookup (drift case)',
    provider: 'affogato',
    ids: ['a1', 'a2'],
    calls: [leaveOut('a2', true)],
    expected: { recorded: { a1: 'done', a2: 'done' }, performs: [['a1', 'a2'], ['a2'], ['a2']], lookups: ['a2'] },
  },
  {
    name: 'left out of every answer until its attempts run out, and not done by lookup (drift case)',
    provider: 'affogato',
    ids: ['a1', 'a2'],
    calls: [leaveOut('a2')],
    expected: { recorded: { a1: 'done', a2: 'failed/exhausted' }, performs: [['a1', 'a2'], ['a2'], ['a2']], lookups: ['a2'] },
  },
  {
    name: 'named not done by the answer: the same as left out',
    provider: 'affogato',
    ids: ['a1', 'a2'],
    calls: [(ids, world) => ({ ...doneAll(ids.filter((id) => id !== 'a2'), world), notDone: ids.filter((id) => id === 'a2') }), doneAll],
    expected: { recorded: { a1: 'done', a2: 'done' }, performs: [['a1', 'a2'], ['a2']], lookups: [] },
  },
  {
    name: 'permission (401/403) stops the run: the rest, in every chunk, is not attempted',
    provider: 'mediapocket',
    ids: ['m1', 'm2', 'm3'],
    chunkSize: 2,
    calls: [failWith('auth')],
    expected: {
      recorded: { m1: 'failed/permission', m2: 'failed/not_attempted:permission', m3: 'failed/not_attempted:permission' },
      performs: [['m1']],
      lookups: [],
      stopped: 'permission',
    },
  },
  {
    name: 'a permanent 4xx fails the call; the run goes on',
    provider: 'mediapocket',
    ids: ['m1', 'm2'],
    calls: [failWith('permanent'), doneAll],
    expected: { recorded: { m1: `failed/${MESSAGES.permanent}`, m2: 'done' }, performs: [['m1'], ['m2']], lookups: [] },
  },
  {
    name: 'a retryable failure that reached the provider: verified done',
    provider: 'mediapocket',
    ids: ['m1', 'm2'],
    calls: [failWith('retryable', ['m1']), doneAll],
    expected: { recorded: { m1: 'done', m2: 'done' }, performs: [['m1'], ['m2']], lookups: ['m1'] },
  },
  {
    name: 'a rate-limited failure past the HTTP retries: verified not done, failed',
    provider: 'mediapocket',
    ids: ['m1', 'm2'],
    calls: [failWith('rate_limited'), doneAll],
    expected: { recorded: { m1: `failed/${MESSAGES.rate_limited}`, m2: 'done' }, performs: [['m1'], ['m2']], lookups: ['m1'] },
  },
  {
    name: 'a failed call whose lookup fails too: failed, its state unverified',
    provider: 'mediapocket',
    ids: ['m1', 'm2'],
    calls: [failWith('retryable'), doneAll],
    lookupFails: ['m1'],
    expected: { recorded: { m1: 'failed/unverified', m2: 'done' }, performs: [['m1'], ['m2']], lookups: ['m1'] },
  },
  {
    name: 'three failed calls in a row stop the run',
    provider: 'mediapocket',
    ids: ['m1', 'm2', 'm3', 'm4', 'm5'],
    chunkSize: 4,
    calls: [failWith('retryable')],
    expected: {
      recorded: {
        m1: `failed/${MESSAGES.retryable}`,
        m2: `failed/${MESSAGES.retryable}`,
        m3: `failed/${MESSAGES.retryable}`,
        m4: 'failed/not_attempted:unavailable',
        m5: 'failed/not_attempted:unavailable',
      },
      performs: [['m1'], ['m2'], ['m3']],
      lookups: ['m1', 'm2', 'm3'],
      stopped: 'unavailable',
    },
  },
  {
    name: 'a stop signal: what is done is committed, the rest is left open for the resumed run',
    provider: 'mediapocket',
    ids: ['m1', 'm2', 'm3'],
    signalOnCall: 1,
    calls: [doneAll],
    expected: { recorded: { m1: 'done', m2: 'open', m3: 'open' }, performs: [['m1']], lookups: [], stopped: 'signal' },
  },
  {
    name: 'in flight on resume: verified by lookup before anything is sent, only the not-done one is sent',
    provider: 'affogato',
    ids: ['a1', 'a2', 'a3', 'a4'],
    inFlight: ['a1', 'a2', 'a3'],
    world: { a1: 'applied', a2: 'gone', a3: 'present' },
    calls: [doneAll],
    expected: { recorded: { a1: 'done', a2: 'gone', a3: 'done', a4: 'done' }, performs: [['a3', 'a4']], lookups: ['a1', 'a2', 'a3'] },
  },
  {
    name: 'in flight on resume and the lookup fails: nothing decided, nothing sent, the job is retried',
    provider: 'affogato',
    ids: ['a1', 'a2'],
    inFlight: ['a1'],
    lookupFails: ['a1'],
    calls: [doneAll],
    expected: { recorded: { a1: 'open', a2: 'open' }, performs: [], lookups: ['a1'], throws: true },
  },
];

/** A case run against a fresh simulator; ids are named by their position in `stage`'s answer. */
interface SimCase {
  name: string;
  provider: 'affogato' | 'mediapocket';
  /** picks the ids and sets the stage on a fresh simulator */
  stage(sim: Simulator): string[];
  faults?: FaultConfig;
  revokedKey?: boolean;
  chunkSize?: number;
  expected: { recorded: string[]; performs: number[][]; lookups: number; stopped?: 'permission' };
}

const notArchived = (sim: Simulator) => sim.affogato.ids().filter((id) => !sim.affogato.isArchived(id));

const SIM_CASES: SimCase[] = [
  {
    name: 'done in one multi-id Affogato archive',
    provider: 'affogato',
    stage: (sim) => notArchived(sim).slice(0, 3),
    expected: { recorded: ['done', 'done', 'done'], performs: [[0, 1, 2]], lookups: 0 },
  },
  {
    name: 'already gone: a Media Pocket trash answered 404',
    provider: 'mediapocket',
    stage: (sim) => {
      const ids = sim.mediapocket.ids().slice(0, 2);
      sim.mediapocket.remove(ids[0] as string);
      return ids;
    },
    expected: { recorded: ['gone', 'done'], performs: [[0], [1]], lookups: 0 },
  },
  {
    name: 'left out of every Affogato answer until its attempts run out, and not archived by lookup (drift case)',
    provider: 'affogato',
    stage: (sim) => notArchived(sim).slice(0, 1),
    faults: { rateArchivePartial: 1 },
    expected: { recorded: ['failed/exhausted'], performs: [[0], [0], [0]], lookups: 1 },
  },
  {
    name: 'a revoked Media Pocket key (401) stops the run: the rest, in every chunk, is not attempted',
    provider: 'mediapocket',
    stage: (sim) => sim.mediapocket.ids().slice(0, 3),
    revokedKey: true,
    chunkSize: 2,
    expected: { recorded: ['failed/permission', 'failed/not_attempted:permission', 'failed/not_attempted:permission'], performs: [[0]], lookups: 0, stopped: 'permission' },
  },
];

interface Observed {
  recorded: Record<string, string>;
  performs: string[];
  lookups: string[];
  stopped?: string | undefined;
  threw: boolean;
}

describe('one outcome rule for retention and bulk', () => {
  let database: TestDatabase;
  const prefix = testQueuePrefix();
  const logger = createLogger('silent');
  const clock = () => new Date();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await database.drop();
    await clearPrefix(prefix);
  });

  async function throughRetention(testCase: Case): Promise<Observed> {
    const provider = new ScriptedProvider(testCase.provider, testCase);
    const observed = await retentionRun(provider, { ...testCase, signal: provider.stop.signal });
    return { ...observed, performs: sortedCalls(provider.performs), lookups: [...provider.lookups].sort() };
  }

  async function throughBulk(testCase: Case): Promise<Observed> {
    const provider = new ScriptedProvider(testCase.provider, testCase);
    const observed = await bulkRun(provider, { ...testCase, signal: provider.stop.signal });
    return { ...observed, performs: sortedCalls(provider.performs), lookups: [...provider.lookups].sort() };
  }

  type Run = Pick<Case, 'provider' | 'ids' | 'inFlight' | 'chunkSize'> & { signal?: AbortSignal };

  async function retentionRun(provider: AssetProvider, testCase: Run): Promise<Omit<Observed, 'performs' | 'lookups'>> {
    const action = ACTION[testCase.provider];
    const runId = await insertRunWithActions(
      database.pool,
      { mode: 'apply', provider: testCase.provider, evaluatedAt: clock(), state: 'applying', rulesDigest: 'parity' },
      testCase.ids.map((assetId) => ({ assetId, rule: 'parity', action, state: 'planned', reason: 'case', alsoMatched: [] })),
    );
    await database.pool.query("UPDATE retention_actions SET state = 'in_flight', attempts = 1 WHERE run_id = $1 AND asset_id = ANY ($2)", [
      runId,
      testCase.inFlight ?? [],
    ]);
    const options = { pool: database.pool, provider, runId, action, log: logger, clock, maxActions: 100, concurrency: 1, signal: testCase.signal };
    let stopped: string | undefined;
    let threw = false;
    try {
      // what resuming an unfinished apply does: settle what is in flight, then carry on
      await verifyInFlight(options);
      stopped = (await executeRun(options)).stopped?.kind;
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      threw = true;
    }
    const rows = await database.pool.query<{ asset_id: string; state: string; reason: string; error: string | null }>(
      'SELECT asset_id, state, reason, error FROM retention_actions WHERE run_id = $1',
      [runId],
    );
    const recorded = Object.fromEntries(
      rows.rows.map((row) => [
        row.asset_id,
        row.state === 'applied' ? (row.reason.endsWith(GONE_NOTE) ? 'gone' : 'done') : row.state === 'failed' ? failureWhy(row.error) : 'open',
      ]),
    );
    return { recorded, stopped, threw };
  }

  async function bulkRun(provider: AssetProvider, testCase: Run): Promise<Omit<Observed, 'performs' | 'lookups'>> {
    const action = ACTION[testCase.provider];
    const chunkSize = testCase.chunkSize ?? 20;
    const plan = planItems(testCase.ids, chunkSize);
    const operation = await createOperation(database.pool, { provider: testCase.provider, action, dagActionId: null }, chunkSize, plan.items);
    await database.pool.query("UPDATE bulk_items SET state = 'in_flight', attempts = 1 WHERE operation_id = $1 AND asset_id = ANY ($2)", [
      operation.id,
      testCase.inFlight ?? [],
    ]);
    let stopped: string | undefined;
    let threw = false;
    try {
      // each open chunk's job, in turn, as the queue would run them
      for (const chunk of await openChunks(database.db, operation.id)) {
        const items = await loadOpenChunkItems(database.db, operation.id, chunk);
        if (items.length === 0) continue;
        const signal = testCase.signal ?? new AbortController().signal;
        const result = await runActionChunk({ pool: database.pool, logger, signal, clock, concurrency: 1 }, operation.id, chunk, provider, action, items);
        if (result.kind === 'interrupted') {
          stopped = 'signal';
          break;
        }
        const failedNotAttempted = await database.pool.query<{ error: string }>(
          "SELECT error FROM bulk_items WHERE operation_id = $1 AND error LIKE 'not attempted: %' LIMIT 1",
          [operation.id],
        );
        const stop = failedNotAttempted.rows[0]?.error;
        if (stop !== undefined) stopped = stop.startsWith('not attempted: permission') ? 'permission' : 'unavailable';
      }
    } catch (error) {
      if (!(error instanceof ProviderError)) throw error;
      threw = true;
    }
    const rows = await database.pool.query<{ asset_id: string; state: string; outcome: string | null; error: string | null }>(
      'SELECT asset_id, state, outcome, error FROM bulk_items WHERE operation_id = $1',
      [operation.id],
    );
    const recorded = Object.fromEntries(
      rows.rows.map((row) => [
        row.asset_id,
        row.state === 'done' ? (row.outcome?.startsWith('already_gone') === true ? 'gone' : 'done') : row.state === 'failed' ? failureWhy(row.error) : 'open',
      ]),
    );
    const closed = await database.pool.query<{ state: string }>('SELECT state FROM bulk_operations WHERE id = $1', [operation.id]);
    // the operation closes exactly when no item is left open
    expect(closed.rows[0]?.state === 'done').toBe(Object.values(recorded).every((value) => value !== 'open'));
    return { recorded, stopped, threw };
  }

  it.each(CASES)('$name', async (testCase) => {
    const expected: Observed = {
      recorded: testCase.expected.recorded,
      performs: sortedCalls(testCase.expected.performs),
      lookups: [...testCase.expected.lookups].sort(),
      stopped: testCase.expected.stopped,
      threw: testCase.expected.throws === true,
    };
    const retention = await throughRetention(testCase);
    const bulk = await throughBulk(testCase);
    expect(retention).toEqual(expected);
    expect(bulk).toEqual(expected);
  });

  async function throughSimulator(testCase: SimCase, run: typeof retentionRun): Promise<Observed> {
    const sim = await startSimulator({ seed: 77, counts: { affogato: 10, mediapocket: 10, roughy: 1 } });
    const ids = testCase.stage(sim);
    const context = contextFor(workerEnv(sim, database.url, prefix, testCase.revokedKey === true ? { MEDIAPOCKET_API_KEY: 'revoked-key' } : {}));
    try {
      if (testCase.faults !== undefined) sim.setFaults(testCase.provider, testCase.faults);
      sim.stats.reset();
      const handle = context.providers.get(testCase.provider);
      if (handle === undefined) throw new Error(`${testCase.provider} is not enabled`);
      const observed = await run(handle.provider, { provider: testCase.provider, ids, chunkSize: testCase.chunkSize });
      const position = (id: string) => String(ids.indexOf(id));
      return {
        ...observed,
        recorded: Object.fromEntries(Object.entries(observed.recorded).map(([id, value]) => [position(id), value])),
        performs: sortedCalls(sim.stats.destructiveCalls.map((call) => call.assetIds.map(position).sort())),
        lookups: Array.from({ length: sim.stats.count(testCase.provider, 'get') }, () => 'lookup'),
      };
    } finally {
      await context.close();
      await sim.close();
    }
  }

  it.each(SIM_CASES)('over HTTP against the simulator: $name', async (testCase) => {
    const expected: Observed = {
      recorded: Object.fromEntries(testCase.expected.recorded.map((value, index) => [String(index), value])),
      performs: sortedCalls(testCase.expected.performs.map((call) => call.map(String))),
      lookups: Array.from({ length: testCase.expected.lookups }, () => 'lookup'),
      stopped: testCase.expected.stopped,
      threw: false,
    };
    expect(await throughSimulator(testCase, retentionRun)).toEqual(expected);
    expect(await throughSimulator(testCase, bulkRun)).toEqual(expected);
  });
  it('a run whose provider lock is lost sends and records nothing more: the in-flight call is left for the resumed run to verify', async () => {
    const ids = ['lk1', 'lk2', 'lk3', 'lk4'];
    const testCase: Case = { name: 'lock lost', provider: 'mediapocket', ids, calls: [doneAll], expected: { recorded: {}, performs: [], lookups: [] } };
    const provider = new ScriptedProvider('mediapocket', testCase);
    const runId = await insertRunWithActions(
      database.pool,
      { mode: 'apply', provider: 'mediapocket', evaluatedAt: clock(), state: 'applying', rulesDigest: 'parity' },
      ids.map((assetId) => ({ assetId, rule: 'parity', action: 'trash', state: 'planned', reason: 'case', alsoMatched: [] })),
    );
    // the lock's connection fails while the first call is out
    const assertMayAct = () => {
      if (provider.performs.length > 0) throw new LockLostError('retention', 'mediapocket');
    };
    const options = { pool: database.pool, provider, runId, action: 'trash' as const, log: logger, clock, maxActions: 100, concurrency: 1, assertMayAct };
    await expect(executeRun(options)).rejects.toBeInstanceOf(LockLostError);
    expect(provider.performs).toEqual([['lk1']]);
    const rows = await database.pool.query<{ asset_id: string; state: string }>('SELECT asset_id, state FROM retention_actions WHERE run_id = $1 ORDER BY asset_id', [runId]);
    expect(rows.rows.map((row) => [row.asset_id, row.state])).toEqual([
      ['lk1', 'in_flight'],
      ['lk2', 'planned'],
      ['lk3', 'planned'],
      ['lk4', 'planned'],
    ]);
  });
});
