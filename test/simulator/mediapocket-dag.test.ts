import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startSimulator, type DagActionRun, type Simulator } from '../../src/simulator/simulator.ts';
import { call, obj } from './sim-client.helper.ts';

async function start(sim: Simulator, assetId: string, actionId: number | string): Promise<DagActionRun> {
  const answer = await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${assetId}/dag_actions/${actionId}`);
  expect(answer.status).toBe(200);
  return obj(answer.json).dag_action_run as DagActionRun;
}

async function poll(sim: Simulator, assetId: string, runId: number): Promise<DagActionRun> {
  const answer = await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${assetId}/dag_action_runs`);
  expect(answer.status).toBe(200);
  const run = (obj(answer.json).dag_action_runs as DagActionRun[]).find((candidate) => candidate.id === runId);
  if (run === undefined) throw new Error(`run ${runId} not listed`);
  return run;
}

describe('simulated Media Pocket DAG actions', () => {
  let sim: Simulator;
  let assetId: string;
  beforeEach(async () => {
    sim = await startSimulator({ seed: 2, counts: { mediapocket: 5 } });
    assetId = sim.mediapocket.ids()[0] as string;
  });
  afterEach(() => sim.close());

  it('lists the catalogue', async () => {
    const answer = await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${assetId}/dag_actions`);
    const actions = obj(answer.json).dag_actions as Array<Record<string, unknown>>;
    expect(actions.map((action) => action.id)).toEqual([1, 2, 3, 4, 5]);
    expect(actions[0]).toEqual({ id: 1, name: 'Transcode', description: expect.any(String), category: 'Media' });
  });

  it('starts a run answering "running" with a first message', async () => {
    const run = await start(sim, assetId, 1);
    expect(run).toMatchObject({ status: 'running', dag_action: { id: 1, name: 'Transcode' } });
    expect(run.dag_action_run_messages).toEqual([{ id: expect.any(Number), message: 'Set in queue...', created_at: expect.any(String) }]);
    expect(Date.parse(run.created_at)).toBeGreaterThan(Date.now() - 60_000);
  });

  it.each([
    [1, ['running', 'running', 'finished', 'finished'], [1, 1, 1, 0]],
    [2, ['running', 'failed', 'failed'], [1, 1, 0]],
    [3, ['running', 'running', 'running', 'running', 'running'], [1, 0, 0, 0, 0]],
    [4, ['waiting_for_review', 'waiting_for_review', 'waiting_for_review'], [1, 0, 0]],
    [5, ['completed', 'completed'], [1, 0]],
  ])('action %i moves one status per poll: %j, one message per move', async (actionId, statuses, newMessages) => {
    const run = await start(sim, assetId, actionId);
    const seen: string[] = [];
    const growth: number[] = [];
    let messages = run.dag_action_run_messages.length;
    for (let i = 0; i < statuses.length; i += 1) {
      const polled = await poll(sim, assetId, run.id);
      seen.push(polled.status);
      growth.push(polled.dag_action_run_messages.length - messages);
      messages = polled.dag_action_run_messages.length;
    }
    expect(seen).toEqual(statuses);
    expect(growth).toEqual(newMessages);
  });

  it('keeps runs apart per asset and exposes them without polling', async () => {
    const other = sim.mediapocket.ids()[1] as string;
    const run = await start(sim, assetId, 1);
    await start(sim, other, 2);
    expect(sim.mediapocket.dagRuns(assetId).map((r) => r.id)).toEqual([run.id]);
    expect(sim.mediapocket.dagRuns(assetId)[0]?.status).toBe('running');
    await poll(sim, assetId, run.id);
    expect(sim.mediapocket.dagRuns(other)[0]?.status).toBe('running');
  });

  it('404s an unknown action and an unknown asset', async () => {
    const unknown = await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${assetId}/dag_actions/not-found-id`);
    expect(unknown.status).toBe(404);
    expect(obj(unknown.json)).toEqual({ error: "Couldn't find DagAction with 'id'=not-found-id" });
    expect(obj((await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${assetId}/dag_actions/99`)).json).error).toBe(
      "Couldn't find DagAction with 'id'=99",
    );
    for (const [method, path] of [
      ['POST', '/api/v2/assets/not-found-id/dag_actions/1'],
      ['GET', '/api/v2/assets/not-found-id/dag_action_runs'],
      ['GET', '/api/v2/assets/not-found-id/dag_actions'],
    ] as const) {
      const answer = await call(sim, 'mediapocket', method, path);
      expect(answer.status).toBe(404);
      expect(obj(answer.json)).toEqual({ error: 'asset not found' });
    }
  });

  it('answers the reference 403s while permissions are denied', async () => {
    sim.mediapocket.denyPermissions('ACTIONS_START', true);
    const denied = await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${assetId}/dag_actions/1`);
    expect(denied.status).toBe(403);
    expect(obj(denied.json)).toEqual({ error: 'Permission denied. Must have ACTIONS_START permissions.' });
    expect(sim.mediapocket.dagRuns(assetId)).toEqual([]);
    sim.mediapocket.denyPermissions('ACTIONS_START', false);
    const run = await start(sim, assetId, 1);

    sim.mediapocket.denyPermissions('ACTIONS_VIEW', true);
    for (const path of ['dag_action_runs', 'dag_actions']) {
      const answer = await call(sim, 'mediapocket', 'GET', `/api/v2/assets/${assetId}/${path}`);
      expect(answer.status).toBe(403);
      expect(obj(answer.json)).toEqual({ error: 'Permission denied. Must have ACTIONS_VIEW permissions.' });
    }
    expect(sim.mediapocket.isDenied('ACTIONS_VIEW')).toBe(true);
    sim.mediapocket.denyPermissions('ACTIONS_VIEW', false);
    expect((await poll(sim, assetId, run.id)).status).toBe('running');
  });
});

describe('configurable DAG actions', () => {
  it('follows the status table given in the options', async () => {
    const sim = await startSimulator({
      counts: { mediapocket: 1 },
      dagActions: [{ id: 42, name: 'Custom', statuses: ['queued', 'success'] }],
    });
    try {
      const assetId = sim.mediapocket.ids()[0] as string;
      const run = await start(sim, assetId, 42);
      expect(run.dag_action).toEqual({ id: 42, name: 'Custom', description: expect.any(String), category: 'Tests' });
      expect((await poll(sim, assetId, run.id)).status).toBe('queued');
      expect((await poll(sim, assetId, run.id)).status).toBe('success');
      expect((await call(sim, 'mediapocket', 'POST', `/api/v2/assets/${assetId}/dag_actions/1`)).status).toBe(404);
    } finally {
      await sim.close();
    }
  });
});
