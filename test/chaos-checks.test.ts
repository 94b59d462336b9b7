/**
 * The chaos suite's destructive-call check, on hand-made call logs: what it counts as "sent twice", unplanned or
 * undecided, and what it lets through (a call sent again after a refused or failed answer).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { destructiveProblems, type PlannedCall } from '../chaos/checks.ts';
import { startSimulator, type DestructiveCall, type Simulator } from '../src/simulator/simulator.ts';

describe('chaos destructive-call check', () => {
  let sim: Simulator;
  let ids: string[];
  const at = '2026-01-01T00:00:00.000Z';
  const deleteCall = (assetId: string, status: number): DestructiveCall => ({ provider: 'roughy', operation: 'delete', assetIds: [assetId], status, at });
  const planned = (assetId: string, state: string): PlannedCall => ({ provider: 'roughy', operation: 'delete', assetId, state });

  beforeAll(async () => {
    sim = await startSimulator({ seed: 5, counts: { roughy: 6 } });
    ids = sim.roughy.ids();
    // the first three are deleted at the provider, as the calls below say
    for (const id of ids.slice(0, 3)) sim.roughy.remove(id);
  });
  afterAll(() => sim.close());

  it('passes one successful call per applied action, and a retry after a 429 or a 502', () => {
    const [a = '', b = '', c = ''] = ids;
    const calls = [deleteCall(a, 200), deleteCall(b, 429), deleteCall(b, 200), deleteCall(c, 502), deleteCall(c, 404)];
    expect(destructiveProblems(sim, calls, [planned(a, 'applied'), planned(b, 'applied'), planned(c, 'applied')])).toEqual([]);
  });

  it('flags a call after one that took effect, an unplanned call, a skipped one called, and undecided actions', () => {
    const [a = '', , , d = '', e = '', f = ''] = ids;
    const calls = [deleteCall(a, 200), deleteCall(a, 404), deleteCall(d, 500), deleteCall(e, 500)];
    const problems = destructiveProblems(sim, calls, [planned(a, 'applied'), planned(e, 'skipped'), planned(f, 'in_flight')]);
    expect(problems).toEqual([
      expect.stringMatching(/^1 destructive calls not in the plan \(e\.g\. roughy\/delete\/\S+ \(HTTP 500/),
      expect.stringMatching(/^1 calls for actions recorded skipped/),
      expect.stringMatching(/^1 actions sent again after a call that took effect \(e\.g\. roughy\/delete\/\S+ \(again at .*HTTP 404\)\)$/),
      expect.stringMatching(/^1 actions left undecided/),
    ]);
  });

  it('flags an action recorded done that the provider does not show, and one recorded failed that a call did', () => {
    const [a = '', , , d = ''] = ids;
    const problems = destructiveProblems(sim, [deleteCall(a, 200)], [planned(a, 'failed'), planned(d, 'applied')]);
    expect(problems).toEqual([
      expect.stringMatching(/^1 actions recorded done that the provider does not show/),
      expect.stringMatching(/^1 actions recorded failed that a successful call did/),
    ]);
  });
});
