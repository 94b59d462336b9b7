/**
 * Demo step: one full sync of the three simulated accounts side by side, with progress, then what the simulator
 * saw (its injected 429s and 5xx were retried by the worker's one HTTP path).
 */
import type { AppContext } from '../app/context.ts';
import { syncSideBySide, type SyncDisplay } from '../sync/sync-side-by-side.ts';
import { formatTable } from '../util/text-table.ts';
import type { SimProvider, Simulator } from '../simulator/simulator.ts';
import type { SyncSummary } from '../sync/sync-runner.ts';
import type { DemoOutput } from './demo-output.ts';

function faultCounts(sim: Simulator, provider: SimProvider): { requests: number; rateLimited: number; serverErrors: number } {
  let requests = 0;
  let rateLimited = 0;
  let serverErrors = 0;
  for (const byStatus of Object.values(sim.stats.requests[provider])) {
    for (const [status, n] of Object.entries(byStatus)) {
      requests += n;
      if (status === '429') rateLimited += n;
      else if (Number(status) >= 500) serverErrors += n;
    }
  }
  return { requests, rateLimited, serverErrors };
}

export async function runDemoSync(
  context: AppContext,
  sim: Simulator,
  out: DemoOutput,
  progress: SyncDisplay,
): Promise<SyncSummary[]> {
  const settled = await syncSideBySide(context, context.selectProviders(), progress);
  const summaries = settled.map((result) => {
    if (result.status === 'rejected') throw result.reason;
    return result.value;
  });
  out.line(
    formatTable(
      ['provider', 'result', 'pages', 'assets', 'inserted', 'quarantined', 'requests', '429 retried', '5xx retried'],
      summaries.map((s) => {
        const faults = faultCounts(sim, s.provider as SimProvider);
        return [s.provider, s.state, s.pages, s.seen, s.inserted, s.quarantined, faults.requests, faults.rateLimited, faults.serverErrors];
      }),
    ),
  );
  return summaries;
}
