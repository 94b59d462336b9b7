/**
 * The checks every scenario ends with: the catalog against the simulator's truth, and the destructive calls the
 * simulator recorded against the plan the worker recorded (retention_log rows, bulk items).
 */
import { isDeepStrictEqual } from 'node:util';
import type pg from 'pg';
import { toListItem, type DestructiveCall, type SimProvider, type Simulator } from '../src/simulator/simulator.ts';

const EXAMPLES = 3;

type Queryable = Pick<pg.Pool, 'query'>;

function summarize(kind: string, items: readonly string[]): string[] {
  if (items.length === 0) return [];
  const shown = items.slice(0, EXAMPLES).join('; ');
  return [`${items.length} ${kind} (e.g. ${shown}${items.length > EXAMPLES ? '; …' : ''})`];
}

/** The payload a complete sync stores as `raw` for each asset present at the provider (the listing's shape). */
function expectedRows(sim: Simulator, provider: SimProvider): Map<string, { status: string; kind: string | null; trashed: boolean; raw: unknown }> {
  const rows = new Map<string, { status: string; kind: string | null; trashed: boolean; raw: unknown }>();
  const plain = (value: unknown) => JSON.parse(JSON.stringify(value)) as unknown;
  switch (provider) {
    case 'affogato':
      for (const a of sim.affogato.all()) rows.set(a.id, { status: a.status, kind: a.type, trashed: false, raw: plain(a) });
      break;
    case 'mediapocket':
      for (const a of sim.mediapocket.all()) rows.set(a.id, { status: a.status, kind: a.media_type, trashed: false, raw: plain(a) });
      // a trashed asset is not listed: its raw is whatever the catalog last saw, only its state is compared
      for (const a of sim.mediapocket.allTrashed()) rows.set(a.id, { status: a.status, kind: a.media_type, trashed: true, raw: undefined });
      break;
    case 'roughy':
      for (const a of sim.roughy.all()) rows.set(a.id, { status: a.state, kind: a.type, trashed: false, raw: plain(toListItem(a)) });
      break;
  }
  return rows;
}

interface CatalogRow {
  asset_id: string;
  kind: string | null;
  status: string | null;
  trashed_at: Date | null;
  removed_at: Date | null;
  raw: unknown;
}

/**
 * Exact: every asset at the provider is in the catalog, present, with the provider's payload, kind, status and
 * trash state; every other row is marked removed; no run left open; nothing quarantined.
 */
export async function catalogProblems(db: Queryable, sim: Simulator, providers: readonly SimProvider[]): Promise<string[]> {
  const problems: string[] = [];
  for (const provider of providers) {
    const truth = expectedRows(sim, provider);
    const result = await db.query<CatalogRow>(
      'SELECT asset_id, kind, status, trashed_at, removed_at, raw FROM catalog_assets WHERE provider = $1',
      [provider],
    );
    const catalog = new Map(result.rows.map((row) => [row.asset_id, row]));
    const missing: string[] = [];
    const markedRemoved: string[] = [];
    const different: string[] = [];
    const notRemoved: string[] = [];
    for (const [id, expected] of truth) {
      const row = catalog.get(id);
      if (row === undefined) missing.push(id);
      else if (row.removed_at !== null) markedRemoved.push(id);
      else if (row.status !== expected.status || row.kind !== expected.kind) different.push(`${id} status/kind ${row.status}/${row.kind}, truth ${expected.status}/${expected.kind}`);
      else if ((row.trashed_at !== null) !== expected.trashed) different.push(`${id} trashed_at ${row.trashed_at === null ? 'null' : 'set'}, truth ${expected.trashed ? 'trashed' : 'not trashed'}`);
      else if (expected.raw !== undefined && !isDeepStrictEqual(row.raw, expected.raw)) different.push(`${id} raw differs from the provider's payload`);
    }
    for (const [id, row] of catalog) if (!truth.has(id) && row.removed_at === null) notRemoved.push(id);
    problems.push(
      ...summarize(`${provider} assets missing from the catalog`, missing),
      ...summarize(`${provider} assets present at the provider but marked removed`, markedRemoved),
      ...summarize(`${provider} rows differing from the provider`, different),
      ...summarize(`${provider} rows gone at the provider but not marked removed`, notRemoved),
    );
    const open = await db.query<{ id: number; state: string }>("SELECT id, state FROM sync_runs WHERE provider = $1 AND state = 'running'", [provider]);
    if (open.rows.length > 0) problems.push(`${provider} sync run ${open.rows.map((r) => r.id).join(', ')} still running`);
  }
  const quarantined = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM quarantine');
  if ((quarantined.rows[0]?.n ?? 0) > 0) problems.push(`${quarantined.rows[0]?.n} records quarantined (the simulator sends none malformed)`);
  return problems;
}

/** One decided action the worker recorded: a retention action or a bulk item. */
export interface PlannedCall {
  provider: SimProvider;
  /** archive | trash | delete | restore, as the simulator names the call */
  operation: string;
  assetId: string;
  /** the recorded state: planned/in_flight/applied/failed/skipped (retention), pending/in_flight/done/failed/skipped (bulk) */
  state: string;
}

export async function retentionPlan(db: Queryable): Promise<PlannedCall[]> {
  const result = await db.query<{ provider: SimProvider; action: string; asset_id: string; state: string }>(
    `SELECT a.provider, a.action, a.asset_id, a.state FROM retention_actions a JOIN retention_runs r ON r.id = a.run_id WHERE r.mode = 'apply'`,
  );
  return result.rows.map((row) => ({ provider: row.provider, operation: row.action, assetId: row.asset_id, state: row.state }));
}

export async function bulkPlan(db: Queryable, operationIds: readonly number[]): Promise<PlannedCall[]> {
  const result = await db.query<{ provider: SimProvider; action: string; asset_id: string; state: string }>(
    'SELECT o.provider, o.action, i.asset_id, i.state FROM bulk_items i JOIN bulk_operations o ON o.id = i.operation_id WHERE o.id = ANY ($1::bigint[])',
    [operationIds],
  );
  return result.rows.map((row) => ({ provider: row.provider, operation: row.action, assetId: row.asset_id, state: row.state }));
}

const key = (provider: string, operation: string, assetId: string) => `${provider}/${operation}/${assetId}`;
const succeeded = (call: DestructiveCall) => call.status >= 200 && call.status < 300;

/** Whether the simulator's truth shows the action done (or the asset gone, which every action accepts). */
function effectShown(sim: Simulator, call: PlannedCall): boolean {
  switch (call.operation) {
    case 'archive':
      return sim.affogato.get(call.assetId) === undefined || sim.affogato.isArchived(call.assetId);
    case 'trash':
      return sim.mediapocket.get(call.assetId) === undefined || sim.mediapocket.isTrashed(call.assetId);
    case 'delete':
      return call.provider === 'roughy' ? sim.roughy.get(call.assetId) === undefined : sim.mediapocket.get(call.assetId) === undefined;
    case 'restore':
      return sim.mediapocket.get(call.assetId) !== undefined && !sim.mediapocket.isTrashed(call.assetId);
    default:
      return false;
  }
}

/**
 * Every destructive call was planned, and none was sent twice. "Twice" is a call naming an asset after a call
 * for the same asset and action that the provider answered 2xx, i.e. that took effect. That includes the
 * uncertain call a killed process never heard back from: the rules (src/retention, src/bulk) settle an
 * in-flight action by lookup, never by sending it again. A call sent again after a non-2xx answer (an injected
 * 429, 5xx or HTML page, which the simulator answers without touching the store) is legitimate: the rules
 * verify by lookup that it did not take effect, then try again. (Affogato's partial archive answers, where a
 * 2xx leaves some ids undone and re-sending them is the rule, are not injected by the chaos scenarios.)
 *
 * And the record agrees with the provider: nothing is left planned or in flight, an action recorded done shows
 * at the provider, one recorded failed had no successful call.
 */
export function destructiveProblems(sim: Simulator, calls: readonly DestructiveCall[], plan: readonly PlannedCall[]): string[] {
  const planned = new Map<string, PlannedCall[]>();
  for (const entry of plan) {
    const k = key(entry.provider, entry.operation, entry.assetId);
    planned.set(k, [...(planned.get(k) ?? []), entry]);
  }
  const unplanned: string[] = [];
  const calledWhenSkipped: string[] = [];
  const repeated: string[] = [];
  const successes = new Map<string, number>();
  for (const call of calls) {
    for (const assetId of call.assetIds) {
      const k = key(call.provider, call.operation, assetId);
      const entries = planned.get(k);
      if (entries === undefined) unplanned.push(`${k} (HTTP ${call.status} at ${call.at})`);
      else if (entries.every((entry) => entry.state === 'skipped')) calledWhenSkipped.push(k);
      if ((successes.get(k) ?? 0) > 0) repeated.push(`${k} (again at ${call.at}, HTTP ${call.status})`);
      if (succeeded(call)) successes.set(k, (successes.get(k) ?? 0) + 1);
    }
  }
  const undecided: string[] = [];
  const doneNotShown: string[] = [];
  const failedButDone: string[] = [];
  for (const [k, entries] of planned) {
    for (const entry of entries) {
      if (['planned', 'in_flight', 'pending'].includes(entry.state)) undecided.push(`${k} ${entry.state}`);
      if ((entry.state === 'applied' || entry.state === 'done') && !effectShown(sim, entry)) doneNotShown.push(k);
      if (entry.state === 'failed' && (successes.get(k) ?? 0) > 0) failedButDone.push(k);
    }
  }
  return [
    ...summarize('destructive calls not in the plan', unplanned),
    ...summarize('calls for actions recorded skipped', calledWhenSkipped),
    ...summarize('actions sent again after a call that took effect', repeated),
    ...summarize('actions left undecided', undecided),
    ...summarize('actions recorded done that the provider does not show', doneNotShown),
    ...summarize('actions recorded failed that a successful call did', failedButDone),
  ];
}

/** How many assets each operation touched successfully: the figure a scenario reports. */
export function successfulCallCount(calls: readonly DestructiveCall[]): number {
  return calls.filter(succeeded).reduce((n, call) => n + call.assetIds.length, 0);
}
