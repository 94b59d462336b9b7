/**
 * `dag start` and `dag status` as an operator runs them: real processes, no `start` worker anywhere (the command
 * runs its own), the simulator over HTTP. Also: the process killed mid-poll, then resumed.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../src/simulator/simulator.ts';
import { waitFor } from './support/catalog.ts';
import { runCli, startCli } from './support/cli.ts';
import { simulatorEnv } from './support/env.ts';
import { clearPrefix, createTestDatabase, redisUrl, testQueuePrefix, type TestDatabase } from './support/services.ts';

describe('dag command', () => {
  let database: TestDatabase;
  let sim: Simulator;
  const prefix = testQueuePrefix();
  let env: Record<string, string>;
  let nextAsset = 0;
  const freshAsset = () => sim.mediapocket.ids()[nextAsset++] as string;

  beforeAll(async () => {
    database = await createTestDatabase();
    sim = await startSimulator({
      seed: 51,
      counts: { mediapocket: 20 },
      dagActions: [
        { id: 1, name: 'Transcode', statuses: ['running', 'running', 'finished'] },
        { id: 2, name: 'Generate subtitles', statuses: ['running', 'failed'] },
        { id: 3, name: 'Export to archive', statuses: ['running'] },
        { id: 6, name: 'Long transcode', statuses: ['queued', 'running', 'running', 'running', 'finished'] },
      ],
    });
    env = simulatorEnv(sim, database.url, prefix, { mediapocket: 100 });
  });
  afterAll(async () => {
    await sim.close();
    await database.drop();
    await clearPrefix(prefix);
  });

  const runRow = async (assetId: string) =>
    (await database.pool.query('SELECT * FROM dag_action_runs WHERE asset_id = $1', [assetId])).rows[0] as
      | { id: number; outcome: string; status: string; poll_attempts: number }
      | undefined;

  it('--wait: success exits 0 and prints the final status verbatim; failure and timeout exit 1', async () => {
    const [ok, failed, timedOut] = [freshAsset(), freshAsset(), freshAsset()];
    const [a, b, c] = await Promise.all([
      runCli(['dag', 'start', '--asset', ok, '--action', '1', '--wait'], env),
      runCli(['dag', 'start', '--asset', failed, '--action', '2', '--wait'], env),
      runCli(['dag', 'start', '--asset', timedOut, '--action', '3', '--wait', '--timeout', '4s'], env),
    ]);
    expect(a.code, a.stderr).toBe(0);
    expect(a.stdout).toMatch(/status:\s+finished\n\s+outcome:\s+succeeded/);
    expect(b.code, b.stderr).toBe(1);
    expect(b.stdout).toMatch(/status:\s+failed\n\s+outcome:\s+failed/);
    expect(c.code, c.stderr).toBe(1);
    expect(c.stdout).toMatch(/status:\s+running\n\s+outcome:\s+timed_out/);
    expect(c.stdout).toMatch(/no final status by the deadline/);
    expect(await runRow(ok)).toMatchObject({ outcome: 'succeeded', status: 'finished', poll_attempts: 3 });
    expect(await runRow(failed)).toMatchObject({ outcome: 'failed', status: 'failed' });
    expect(await runRow(timedOut)).toMatchObject({ outcome: 'timed_out', status: 'running' });
    for (const assetId of [ok, failed, timedOut]) expect(sim.mediapocket.dagRuns(assetId)).toHaveLength(1);
  });

  it('without --wait prints the run id; "dag status ID --wait" follows it to the end later', async () => {
    const assetId = freshAsset();
    const started = await runCli(['dag', 'start', '--asset', assetId, '--action', '1'], env);
    expect(started.code, started.stderr).toBe(0);
    const runId = /dag run (\d+) started \(provider run (\d+), status running/.exec(started.stdout)?.[1];
    expect(runId).toBeDefined();
    // nothing polls it while no worker runs
    expect(await runRow(assetId)).toMatchObject({ outcome: 'running', poll_attempts: 0 });
    const shown = await runCli(['dag', 'status', String(runId)], env);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/outcome:\s+running/);

    const followed = await runCli(['dag', 'status', String(runId), '--wait'], env);
    expect(followed.code, followed.stderr).toBe(0);
    expect(followed.stdout).toMatch(/status:\s+finished\n\s+outcome:\s+succeeded/);
    const view = await database.pool.query('SELECT status, outcome, run_id FROM dag_runs WHERE asset_id = $1', [assetId]);
    expect(view.rows).toEqual([{ status: 'finished', outcome: 'succeeded', run_id: String(sim.mediapocket.dagRuns(assetId)[0]?.id) }]);
  });

  it('403 is a clear error naming the missing permission', async () => {
    sim.mediapocket.denyPermissions('ACTIONS_START', true);
    try {
      const refused = await runCli(['dag', 'start', '--asset', freshAsset(), '--action', '1', '--wait'], env);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toMatch(/HTTP 403: Permission denied\. Must have ACTIONS_START permissions/);
      expect(refused.stderr).toMatch(/needs the ACTIONS_START and ACTIONS_VIEW permissions/);
      expect(refused.stdout).toMatch(/outcome:\s+failed/);
    } finally {
      sim.mediapocket.denyPermissions('ACTIONS_START', false);
    }
  });

  it('bad usage exits 2', async () => {
    const results = await Promise.all([
      runCli(['dag', 'start', '--asset', 'abc'], env),
      runCli(['dag', 'start', '--asset', 'abc', '--action', '1', '--timeout', 'soon'], env),
      runCli(['dag', 'start', '--asset', 'a b', '--action', '1'], env),
      runCli(['dag', 'status', 'x'], env),
      runCli(['dag', 'start', '--asset', 'abc', '--action', '1'], { DATABASE_URL: database.url, REDIS_URL: redisUrl(), QUEUE_PREFIX: prefix }),
    ]);
    expect(results.map((result) => result.code)).toEqual([2, 2, 2, 2, 2]);
    expect(results[1]?.stderr).toMatch(/--timeout "soon" is not a duration/);
    expect(results[4]?.stderr).toMatch(/provider "mediapocket" is not enabled/);
  });

  it('killed mid-poll, the run still reaches its outcome once the command runs again', async () => {
    const assetId = freshAsset();
    const first = startCli(['dag', 'start', '--asset', assetId, '--action', '6', '--wait'], env);
    await waitFor(async () => ((await runRow(assetId))?.poll_attempts ?? 0) >= 2 || undefined);
    first.child.kill('SIGKILL');
    expect((await first.result).signal).toBe('SIGKILL');
    const row = await runRow(assetId);
    expect(row?.outcome).toBe('running');

    const resumed = await runCli(['dag', 'status', String(row?.id), '--wait'], env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stdout).toMatch(/status:\s+finished\n\s+outcome:\s+succeeded/);
    expect(sim.mediapocket.dagRuns(assetId)).toHaveLength(1);
    expect(sim.stats.count('mediapocket', 'dag.start')).toBeGreaterThan(0);
  });
});
