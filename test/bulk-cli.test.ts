/**
 * `bulk` as an operator runs it: real processes against the simulator, no `start` worker anywhere.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { emptyWorkDir, runCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, testQueuePrefix, type TestDatabase } from './support/services.ts';

describe('bulk command', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();
  let env: Record<string, string>;
  const workDir = emptyWorkDir();

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({ seed: 61, counts: { affogato: 30, mediapocket: 30 } });
    env = simulatorEnv(sim, database.url, prefix, { affogato: 100, mediapocket: 100 });
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  it('bulk trash --wait of 3 ids trashes exactly those and prints the final counts', async () => {
    const ids = sim.mediapocket.ids().slice(0, 3);
    const result = await runCli(['bulk', 'trash', '--provider', 'mediapocket', '--ids', ids.join(','), '--wait'], env, workDir);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/bulk operation \d+ queued: trash of 3 assets at mediapocket in 1 chunk\(s\)/);
    expect(result.stdout).toMatch(/done\s+applied,not_in_catalog\s+3/);
    expect(result.stdout).toMatch(/final counts: 3 done, 0 failed, 0 skipped, 0 to do/);
    // not a terminal: plain progress lines instead of a bar
    expect(result.stderr).toMatch(/bulk \d+: done 3 done/);
    expect(sim.mediapocket.allTrashed().map((asset) => asset.id).sort()).toEqual([...ids].sort());
    expect(sim.stats.destructiveCalls.filter((call) => call.operation === 'trash')).toHaveLength(3);
  });

  it('without --wait prints the id; "bulk status ID" shows it queued, "bulk status ID --wait" runs it to the end', async () => {
    const file = join(workDir, 'archive.txt');
    const ids = sim.affogato.ids().slice(0, 12);
    writeFileSync(file, `# stale renders\n${ids.slice(0, 6).join('\n')}\n\n${ids.slice(6).join('\r\n')}\n${ids[0]}\n`);
    const queued = await runCli(['bulk', 'archive', '--provider', 'affogato', '--ids-file', file], env, workDir);
    expect(queued.code, queued.stderr).toBe(0);
    const id = /bulk operation (\d+) queued: archive of 12 assets at affogato in 1 chunk\(s\); 1 repeated id\(s\) skipped/.exec(queued.stdout)?.[1];
    expect(id).toBeDefined();

    const shown = await runCli(['bulk', 'status', String(id)], env, workDir);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/archive at affogato, 13 items, queued/);
    expect(shown.stdout).toMatch(/pending\s+-\s+12/);
    expect(shown.stdout).toMatch(/skipped\s+duplicate\s+1/);

    const followed = await runCli(['bulk', 'status', String(id), '--wait'], env, workDir);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/final counts: 12 done, 0 failed, 1 skipped, 0 to do/);
    expect(ids.every((assetId) => sim.affogato.get(assetId)?.status === 'archive')).toBe(true);
    const archiveCalls = sim.stats.destructiveCalls.filter((call) => call.operation === 'archive');
    expect(archiveCalls).toHaveLength(1);
    expect(archiveCalls[0]?.assetIds).toHaveLength(12);
  });

  it('exit 1 when an item failed, and the failures are listed', async () => {
    sim.mediapocket.denyPermissions('ACTIONS_START', true);
    try {
      const assetId = sim.mediapocket.ids()[10] as string;
      const result = await runCli(['bulk', 'dag', '--provider', 'mediapocket', '--action', '1', '--ids', assetId, '--wait'], env, workDir);
      expect(result.code).toBe(1);
      expect(result.stdout).toMatch(/final counts: 0 done, 1 failed/);
      expect(result.stdout).toMatch(/failures:/);
      expect(result.stdout).toContain(assetId);
      expect(result.stdout).toMatch(/Must have ACTIONS_START permissions/);
    } finally {
      sim.mediapocket.denyPermissions('ACTIONS_START', false);
    }
  });

  it('bad usage exits 2: a malformed ids file names the line; wrong pairs and missing ids are refused', async () => {
    const bad = join(workDir, 'bad.txt');
    writeFileSync(bad, 'abc\n# fine\n\nabc def\n');
    const before = await database.pool.query('SELECT count(*)::int AS n FROM bulk_operations');
    const results = await Promise.all([
      runCli(['bulk', 'archive', '--provider', 'affogato', '--ids-file', bad], env, workDir),
      runCli(['bulk', 'archive', '--provider', 'mediapocket', '--ids', 'a'], env, workDir),
      runCli(['bulk', 'delete', '--provider', 'roughy', '--ids', 'a'], env, workDir),
      runCli(['bulk', 'dag', '--provider', 'mediapocket', '--ids', 'a'], env, workDir),
      runCli(['bulk', 'trash', '--provider', 'mediapocket'], env, workDir),
      runCli(['bulk', 'trash', '--provider', 'mediapocket', '--ids-file', join(workDir, 'missing.txt')], env, workDir),
      runCli(['bulk', 'status', 'seven'], env, workDir),
    ]);
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2, 2, 2, 2]);
    expect(results[0]?.stderr).toMatch(/bad\.txt:4: "abc def" is not one asset id/);
    expect(results[1]?.stderr).toMatch(/mediapocket does not support "archive"/);
    expect(results[2]?.stderr).toMatch(/provider "roughy" is not enabled/);
    expect(results[3]?.stderr).toMatch(/needs --action/);
    expect(results[4]?.stderr).toMatch(/--ids a,b,c or --ids-file/);
    expect(results[5]?.stderr).toMatch(/cannot read --ids-file/);
    const after = await database.pool.query('SELECT count(*)::int AS n FROM bulk_operations');
    expect(after.rows[0].n).toBe(before.rows[0].n);
  });
});
