/**
 * The reduced chaos suite (`npm run chaos -- --reduced`): a three-provider sync killed at seeded random points,
 * Redis killed and started again empty under a `start` worker mid-sync, and Postgres restarted under it mid-sync,
 * each on its own private Redis and Postgres. Every scenario must pass: the interrupted work completes again
 * and the catalog ends exactly equal to the simulator's truth. Skips with a message where redis-server or
 * initdb/pg_ctl are missing.
 */
import { describe, expect, it } from 'vitest';
import { formatReport } from '../chaos/report.ts';
import { runSuite } from '../chaos/suite.ts';
import { privateServersUnavailable } from './support/private-servers.ts';

const unavailable = privateServersUnavailable();
if (unavailable !== undefined) console.warn(`chaos suite skipped: ${unavailable} (it needs its own redis-server and Postgres cluster)`);

describe.skipIf(unavailable !== undefined)('chaos suite, reduced set', () => {
  it('every scenario passes: sync kills, Redis emptied mid-sync, Postgres restarted mid-sync', { timeout: 400_000 }, async () => {
    const outcome = await runSuite({ reduced: true, seed: 1, only: [] });
    if ('skipped' in outcome) throw new Error(outcome.skipped);
    const report = formatReport(outcome.results);
    console.info(report);
    expect(outcome.results.map((result) => result.name)).toEqual(['sync-kills', 'redis-empty-sync', 'postgres-restart-sync']);
    const failed = outcome.results.filter((result) => result.failures.length > 0).map((result) => result.name);
    expect(failed, report).toEqual([]);
  });
});
