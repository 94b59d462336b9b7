import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, toListItem, type Simulator } from '../src/simulator/simulator.ts';
import { catalogOf, settledValue, waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

interface RunRow {
  id: number;
  state: string;
  pages: number;
  progress: Record<string, unknown>;
}

describe('Roughy sync killed with SIGKILL', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();

  beforeAll(async () => {
    database = await createTestDatabase();
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('resumes from the last committed page and ends exact, without duplicates', async () => {
    // slow enough (50 requests/s, 100 ms per answer) that the kill lands mid-listing
    sim = await startSimulator({ seed: 71, counts: { roughy: 3_000 }, latencyMs: 100 });
    const env = simulatorEnv(sim, database.url, prefix, { roughy: 50 });
    const runs = async () => (await database.pool.query<RunRow>('SELECT id, state, pages, progress FROM sync_runs ORDER BY id')).rows;

    const first = startCli(['sync', '--provider', 'roughy'], env);
    const committed = await waitFor(async () => {
      const [run] = await runs();
      return run !== undefined && run.pages > 0 ? run : undefined;
    }, 20);
    first.child.kill('SIGKILL');
    const killed = await first.result;
    expect(killed.signal).toBe('SIGKILL');

    const [interrupted] = await runs();
    expect(interrupted).toMatchObject({ id: committed.id, state: 'running' });
    expect(interrupted?.pages).toBeLessThan(32);
    expect(interrupted?.progress).toMatchObject({ phase: 'main', anchor: expect.objectContaining({ id: expect.any(String) }) });
    const storedBefore = (await catalogOf(database.pool, 'roughy')).size;
    expect(storedBefore).toBeGreaterThan(0);
    expect(storedBefore).toBeLessThan(3_000);
    const listedBefore = await settledValue(() => sim.stats.count('roughy', 'list'));

    const second = await runCli(['sync', '--provider', 'roughy'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/roughy\s+│?\s*complete/);

    // the same run, finished: not a fresh one
    const after = await runs();
    expect(after.map((run) => [run.id, run.state])).toEqual([[committed.id, 'complete']]);
    // it went on from the committed position: exactly the pages after the committed position, and the final count check
    const listedAfter = sim.stats.count('roughy', 'list') - listedBefore;
    expect(listedAfter).toBe(32 - (interrupted?.pages ?? 0) + 1);
    const catalog = await catalogOf(database.pool, 'roughy');
    expect(catalog.size).toBe(3_000);
    for (const asset of sim.roughy.all()) {
      const row = catalog.get(asset.id);
      expect(row?.removed_at).toBeNull();
      expect(row?.raw).toEqual(toListItem(asset));
    }
    const quarantined = await database.pool.query('SELECT 1 FROM quarantine');
    expect(quarantined.rowCount).toBe(0);
    console.info('roughy crash', { pagesBeforeKill: interrupted?.pages, storedBefore, listRequestsBefore: listedBefore, listRequestsAfter: listedAfter });
  });
});
