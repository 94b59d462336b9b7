/**
 * `report`: the catalog summary per provider, in stable JSON and as a table, computed against the simulator's
 * truth after real syncs of all three providers (with assets removed, trashed, quarantined, a partial listing).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppContext } from '../src/app/context.ts';
import type { CatalogReport, ProviderReport } from '../src/db/catalog-report.repository.ts';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { syncProvider } from '../src/sync/sync-runner.ts';
import { runCli } from './support/cli.ts';
import { contextFor } from './support/context.ts';
import { workerEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

function tally(values: Array<string | null>): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const value of values) counts[value ?? 'unknown'] = (counts[value ?? 'unknown'] ?? 0) + 1;
  return Object.fromEntries(Object.entries(counts).sort(([a], [b]) => a.localeCompare(b)));
}

describe('report', () => {
  const prefix = testQueuePrefix();
  let database: TestDatabase;
  let sim: Simulator;
  let context: AppContext;
  let env: Record<string, string>;
  const removedAffogato: string[] = [];
  let trashedMediaPocket = '';

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 61, counts: { affogato: 250, mediapocket: 220, roughy: 180 } });
    env = workerEnv(sim, database.url, prefix, { LOG_LEVEL: 'silent' });
    context = contextFor(env);
    const syncAll = () =>
      Promise.all(context.selectProviders().map((handle) => syncProvider({ pool: context.pool, logger: context.logger }, handle.provider)));
    await syncAll();
    // between two syncs: three Affogato assets deleted, one Media Pocket asset trashed
    removedAffogato.push(...sim.affogato.ids().slice(0, 3));
    for (const id of removedAffogato) sim.affogato.remove(id);
    trashedMediaPocket = sim.mediapocket.ids()[0] ?? '';
    sim.mediapocket.trash(trashedMediaPocket);
    await syncAll();
    // a malformed record set aside, and a later Roughy listing that was not trusted (test setup, written directly)
    await database.pool.query(
      "INSERT INTO quarantine (provider, run_id, asset_id, reason, raw, raw_hash) VALUES ('roughy', NULL, 'bad-1', 'missing id', '{}', 'h1')",
    );
    await database.pool.query(
      "INSERT INTO sync_runs (provider, state, phase, finished_at, partial_reason) VALUES ('roughy', 'partial', 'done', now(), 'listing ended 12 assets short of its total')",
    );
  });
  afterAll(async () => {
    await context.close();
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('--json: per provider counts by status and kind, removed, trashed, quarantined and the sync state, equal to the truth', async () => {
    const result = await runCli(['report', '--json'], env);
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout) as CatalogReport;
    expect(report.providers.map((p) => p.provider)).toEqual(['affogato', 'mediapocket', 'roughy']);
    const byName = new Map(report.providers.map((p) => [p.provider, p]));
    const affogato = byName.get('affogato') as ProviderReport;
    const mediapocket = byName.get('mediapocket') as ProviderReport;
    const roughy = byName.get('roughy') as ProviderReport;

    const affogatoTruth = sim.affogato.all();
    expect(affogato).toMatchObject({ total: 250, live: 247, removed: 3, trashed: 0, quarantined: 0 });
    expect(affogato.byStatus).toEqual(tally(affogatoTruth.map((a) => a.status)));
    expect(affogato.byKind).toEqual(tally(affogatoTruth.map((a) => a.type)));
    expect(affogato.lastCompleteSync?.state).toBe('complete');
    expect(affogato.lastCompleteSync?.ageSeconds).toBeGreaterThanOrEqual(0);
    expect(affogato.lastFinishedSync).toMatchObject({ state: 'complete', partial: false, partialReason: null });
    expect(affogato.openSync).toBeNull();

    // a trashed Media Pocket asset is still live (it can be restored), and counted as trashed
    const mediapocketTruth = [...sim.mediapocket.all(), ...sim.mediapocket.allTrashed()];
    expect(mediapocket).toMatchObject({ total: 220, live: 220, removed: 0, trashed: 1 });
    expect(mediapocket.byStatus).toEqual(tally(mediapocketTruth.map((a) => a.status)));
    expect(mediapocket.byKind).toEqual(tally(mediapocketTruth.map((a) => a.media_type)));

    const roughyTruth = sim.roughy.all();
    expect(roughy).toMatchObject({ total: 180, live: 180, removed: 0, quarantined: 1 });
    expect(roughy.byStatus).toEqual(tally(roughyTruth.map((a) => a.state)));
    expect(roughy.byKind).toEqual(tally(roughyTruth.map((a) => a.type)));
    expect(roughy.lastCompleteSync?.state).toBe('complete');
    expect(roughy.lastFinishedSync).toMatchObject({ state: 'partial', partial: true, partialReason: 'listing ended 12 assets short of its total' });

    // stable: the same catalog gives the same document (but for the time it was made and the ages)
    const again = JSON.parse((await runCli(['report', '--json'], env)).stdout) as CatalogReport;
    const stable = (r: CatalogReport) =>
      JSON.stringify(r.providers.map((p) => ({ ...p, lastCompleteSync: p.lastCompleteSync && { ...p.lastCompleteSync, ageSeconds: 0 } })));
    expect(stable(again)).toBe(stable(report));
  });

  it('prints a table by default, with the partial listing and the counts a person looks for', async () => {
    const result = await runCli(['report'], env);
    expect(result.code, result.stderr).toBe(0);
    const lines = result.stdout.split('\n');
    expect(lines[0]).toMatch(/^provider\s+live\s+removed\s+trashed\s+quarantined\s+last complete sync\s+last listing\s+open run$/);
    expect(lines.find((line) => line.startsWith('affogato '))).toMatch(/^affogato\s+247\s+3\s+0\s+0\s+\S+Z \(\d+s ago\)\s+complete\s+-$/);
    expect(lines.find((line) => line.startsWith('mediapocket '))).toMatch(/^mediapocket\s+220\s+0\s+1\s+0\s/);
    expect(lines.find((line) => line.startsWith('roughy '))).toMatch(/partial: listing ended 12 assets short of its total/);
    const active = sim.affogato.all().filter((a) => a.status === 'active').length;
    expect(result.stdout).toContain(`active ${active}`);
  });
});
