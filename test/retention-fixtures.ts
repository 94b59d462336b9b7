/**
 * What the retention tests share: a fresh catalog (a real sync over HTTP), assets made "old" by moving their catalog
 * dates (test setup, not mocking), the rules under test, and the expected plan computed from the simulator's own
 * truth, independently of the worker's evaluation.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type pg from 'pg';
import type { AppContext } from '../src/app/context.ts';
import type { ProviderName } from '../src/domain/provider-facts.ts';
import { builtinProviderRegistry } from '../src/providers/registry.ts';
import type { Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';

const DAY_MS = 86_400_000;

/** One complete sync of every provider over HTTP: a fresh catalog. */
export async function syncAll(context: AppContext, providers: readonly ProviderName[] = builtinProviderRegistry.names): Promise<void> {
  for (const name of providers) {
    const handle = context.providers.get(name);
    if (handle === undefined) throw new Error(`${name} is not enabled`);
    const summary = await syncProvider({ pool: context.pool, logger: context.logger }, handle.provider);
    if (summary.state !== 'complete') throw new Error(`${name} sync was ${summary.state}`);
  }
}

/** Makes assets look first seen and last changed `days` ago: what years of catalog history would show. */
export async function ageAssets(pool: pg.Pool, provider: ProviderName, assetIds: readonly string[], days: number): Promise<void> {
  const at = new Date(Date.now() - days * DAY_MS);
  await pool.query('UPDATE assets SET first_seen_at = $3, last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])', [provider, assetIds, at]);
}

/** The catalog most retention tests start from: every provider synced, some Affogato assets 40 and 70 days old. */
export async function syncAndAge(context: AppContext, sim: Simulator): Promise<{ days40: string[]; days70: string[] }> {
  await syncAll(context);
  const aging = affogatoAging(sim);
  await ageAssets(context.pool, 'affogato', aging.days40, 40);
  await ageAssets(context.pool, 'affogato', aging.days70, 70);
  return aging;
}

export function writeRules(yaml: string, name = 'retention.yaml'): { dir: string; path: string } {
  const dir = mkdtempSync(join(tmpdir(), 'alw-retention-'));
  const path = join(dir, name);
  writeFileSync(path, yaml);
  return { dir, path };
}

export interface SafetyOverrides {
  maxActionsPerRun?: number;
  maxCatalogFraction?: number;
  maxSyncAgeMinutes?: number;
}

/** Rules on all three providers; two Affogato rules overlap so precedence shows. */
export function rulesYaml(safety: SafetyOverrides = {}): string {
  return `safety:
  maxActionsPerRun: ${safety.maxActionsPerRun ?? 500}
  maxCatalogFraction: ${safety.maxCatalogFraction ?? 0.6}
  maxSyncAgeMinutes: ${safety.maxSyncAgeMinutes ?? 60}
  protectedTags: [legal-hold]
rules:
  - name: archive-old-affogato-images
    provider: affogato
    action: archive
    when:
      olderThanDays: 30
      status: [active]
      kind: [image]
  - name: archive-older-affogato-media
    provider: affogato
    action: archive
    when:
      olderThanDays: 60
      kind: [image, video]
  - name: trash-stale-mediapocket-samples
    provider: mediapocket
    action: trash
    when:
      notUpdatedForDays: 365
      category: [sample]
      tagsAny: [campaign-2023, draft]
      tagsNone: [evergreen]
  - name: delete-failed-roughy
    provider: roughy
    action: delete
    when:
      status: [failed]
      olderThanDays: 30
`;
}

/** Affogato has no timestamps: every fifth asset is made 40 days old, the next one 70 days. */
export function affogatoAging(sim: Simulator): { days40: string[]; days70: string[] } {
  const ids = sim.affogato.ids().sort();
  return { days40: ids.filter((_, i) => i % 5 === 0), days70: ids.filter((_, i) => i % 5 === 1) };
}

export interface ExpectedPlan {
  /** asset id → the rule that applies */
  affogato: Map<string, string>;
  mediapocket: Map<string, string>;
  /** matched by the Media Pocket rule but carrying legal-hold */
  mediapocketProtected: Set<string>;
  roughy: Map<string, string>;
}

/** The plan the rules above must produce, computed from the simulator's truth. */
export function expectedPlan(sim: Simulator, aging: { days40: string[]; days70: string[] }, now = Date.now()): ExpectedPlan {
  const days40 = new Set(aging.days40);
  const days70 = new Set(aging.days70);
  const affogato = new Map<string, string>();
  for (const asset of sim.affogato.all()) {
    if (asset.status === 'archive') continue;
    const old = days40.has(asset.id) || days70.has(asset.id);
    if (old && asset.status === 'active' && asset.type === 'image') affogato.set(asset.id, 'archive-old-affogato-images');
    else if (days70.has(asset.id) && (asset.type === 'image' || asset.type === 'video')) affogato.set(asset.id, 'archive-older-affogato-media');
  }
  const mediapocket = new Map<string, string>();
  const mediapocketProtected = new Set<string>();
  for (const asset of sim.mediapocket.all()) {
    const stale = now - Date.parse(asset.modification_date) > 365 * DAY_MS;
    const tagged = asset.tags.some((tag) => tag === 'campaign-2023' || tag === 'draft');
    if (!stale || asset.category !== 'sample' || !tagged || asset.tags.includes('evergreen')) continue;
    if (asset.tags.includes('legal-hold')) mediapocketProtected.add(asset.id);
    else mediapocket.set(asset.id, 'trash-stale-mediapocket-samples');
  }
  const roughy = new Map<string, string>();
  for (const asset of sim.roughy.all()) {
    if (asset.state === 'failed' && now - Date.parse(asset.created_at) > 30 * DAY_MS) roughy.set(asset.id, 'delete-failed-roughy');
  }
  return { affogato, mediapocket, mediapocketProtected, roughy };
}

/**
 * Puts legal-hold on `count` Media Pocket assets the rule would otherwise trash (keeping their modification
 * date), so every run has protected assets to skip.
 */
export function protectSome(sim: Simulator, count: number): string[] {
  const aging = { days40: [], days70: [] };
  const targets = [...expectedPlan(sim, aging).mediapocket.keys()].sort().slice(0, count);
  for (const id of targets) {
    const asset = sim.mediapocket.get(id);
    if (asset === undefined) continue;
    sim.mediapocket.update(id, { tags: [...asset.tags, 'legal-hold'], modification_date: asset.modification_date });
  }
  return targets;
}

/** Successful destructive calls per asset id at one provider (2xx answers only). */
export function successfulCalls(sim: Simulator, provider: ProviderName): Map<string, number> {
  const counts = new Map<string, number>();
  for (const call of sim.stats.destructiveCalls) {
    if (call.provider !== provider || call.status < 200 || call.status >= 300) continue;
    for (const id of call.assetIds) counts.set(id, (counts.get(id) ?? 0) + 1);
  }
  return counts;
}

/**
 * Destructive calls naming an asset after a call that already succeeded for it: any is an action repeated.
 * (Affogato excepted: its batch answers can leave an id out, and then sending it again is the point.)
 */
export function callsAfterSuccess(sim: Simulator, provider: ProviderName): string[] {
  const succeeded = new Set<string>();
  const repeated: string[] = [];
  for (const call of sim.stats.destructiveCalls) {
    if (call.provider !== provider) continue;
    for (const id of call.assetIds) {
      if (succeeded.has(id)) repeated.push(id);
      if (call.status >= 200 && call.status < 300) succeeded.add(id);
    }
  }
  return repeated;
}

export interface LogRow {
  run_id: number;
  provider: string;
  asset_id: string;
  rule: string;
  action: string;
  state: string;
  reason: string;
  error: string | null;
  applied_at: Date | null;
}

export async function retentionLog(pool: pg.Pool, runIds: readonly number[]): Promise<LogRow[]> {
  const result = await pool.query<LogRow>('SELECT * FROM retention_log WHERE run_id = ANY ($1::bigint[]) ORDER BY provider, asset_id', [runIds]);
  return result.rows;
}

export function byState(rows: readonly LogRow[], provider: string, state: string): Map<string, string> {
  return new Map(rows.filter((row) => row.provider === provider && row.state === state).map((row) => [row.asset_id, row.rule]));
}
