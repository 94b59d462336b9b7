/**
 * The `sync` command as an operator runs it: a real process, stopped hard (SIGKILL) or politely (SIGTERM)
 * mid-run, then run again.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { catalogOf, settledValue, waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

describe('sync command', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();
  let env: Record<string, string>;

  beforeAll(async () => {
    database = await createTestDatabase();
    // slow enough to stop mid-run: ~25 pages a second
    sim = await startSimulator({ seed: 21, counts: { affogato: 4_000 }, latencyMs: 10 });
    env = simulatorEnv(sim, database.url, prefix, { affogato: 25 });
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });
  beforeEach(async () => {
    await database.pool.query('TRUNCATE assets, sync_runs, sync_pages, quarantine CASCADE');
    sim.stats.reset();
  });

  const committedPages = async () =>
    (await database.pool.query<{ pages: number }>("SELECT pages FROM sync_runs WHERE provider = 'affogato' AND state = 'running'")).rows[0]
      ?.pages ?? 0;

  const expectExact = async () => {
    const catalog = await catalogOf(database.pool, 'affogato');
    expect(catalog.size).toBe(4_000);
    for (const asset of sim.affogato.all()) expect(catalog.get(asset.id)?.raw).toEqual(asset);
  };

  for (const signal of ['SIGKILL', 'SIGTERM'] as const) {
    it(`resumes a run stopped with ${signal} and ends exactly equal to the truth`, async () => {
      const first = startCli(['sync', '--provider', 'affogato'], env);
      await waitFor(async () => ((await committedPages()) >= 10 ? true : undefined));
      first.child.kill(signal);
      const stopped = await first.result;
      if (signal === 'SIGKILL') expect(stopped.signal).toBe('SIGKILL');
      else {
        expect(stopped.code).toBe(1);
        expect(stopped.stderr).toContain('SIGTERM received');
      }
      const pagesBefore = await committedPages();
      expect(pagesBefore).toBeGreaterThan(0);
      expect(pagesBefore).toBeLessThan(80);
      const listedBefore = await settledValue(() => sim.stats.count('affogato', 'list'));

      const second = await runCli(['sync', '--provider', 'affogato'], env);
      expect(second.code, second.stderr).toBe(0);
      expect(second.stdout).toMatch(/affogato\s+complete\s+80\s+4000\s+4000\s+0\s+0/);
      // resumed, not restarted: the second process fetched only what the first had not committed (+ page 1 again)
      const listedAfter = sim.stats.count('affogato', 'list') - listedBefore;
      expect(listedAfter).toBeLessThanOrEqual(80 - pagesBefore + 1);
      const runs = await database.pool.query('SELECT state FROM sync_runs');
      expect(runs.rows).toEqual([{ state: 'complete' }]);
      await expectExact();
    });
  }

  it('two sync commands at once run the provider once', async () => {
    const [a, b] = await Promise.all([runCli(['sync'], env), runCli(['sync'], env)]);
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    expect(`${a.stdout}\n${b.stdout}`).toContain('complete (joined)');
    expect(sim.stats.count('affogato', 'list')).toBe(80);
    await expectExact();
  });

  it('exits 2 naming the variable when the configuration is wrong', async () => {
    const result = await runCli(['sync'], { ...env, AFFOGATO_RPS: 'fast' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AFFOGATO_RPS must be a number (got "fast")');
  });

  it('exits 2 for a provider that is not enabled', async () => {
    const result = await runCli(['sync', '--provider', 'roughy'], env);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('provider "roughy" is not enabled: set ROUGHY_API_KEY');
  });
});
