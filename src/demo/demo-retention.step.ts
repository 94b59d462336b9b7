/**
 * Demo step: `retention plan` then `retention apply`, through the same service the commands and the scheduled
 * job use, and what the simulator received: the plan makes no destructive call, the apply exactly the planned ones.
 */
import type { AppContext } from '../app/context.ts';
import { retentionDepsOf } from '../app/retention-deps.ts';
import { applyRetention } from '../retention/retention-apply.ts';
import { applyFailed, applySummaryLine, applyTable, planRemarks, planSummaryTable } from '../retention/retention-format.ts';
import { planRetention } from '../retention/retention-plan.ts';
import { loadRetentionRules } from '../retention/retention-rules.loader.ts';
import type { Simulator } from '../simulator/simulator.ts';
import type { DemoOutput } from './demo-output.ts';

function destructiveCallsSince(sim: Simulator, from: number): string {
  const calls = sim.stats.destructiveCalls.slice(from);
  if (calls.length === 0) return 'none';
  const byOperation = new Map<string, { calls: number; ids: number }>();
  for (const call of calls) {
    const key = `${call.provider} ${call.operation}`;
    const seen = byOperation.get(key) ?? { calls: 0, ids: 0 };
    byOperation.set(key, { calls: seen.calls + 1, ids: seen.ids + call.assetIds.length });
  }
  return [...byOperation].map(([key, n]) => `${key}: ${n.calls} call(s) for ${n.ids} id(s)`).join('; ');
}

export async function runDemoRetention(context: AppContext, sim: Simulator, out: DemoOutput, signal: AbortSignal): Promise<void> {
  // RETENTION_RULES names the demo's rules file by an absolute path
  const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
  if (loaded.kind !== 'rules') throw new Error(`the demo's rules file ${loaded.path} is missing`);
  const deps = retentionDepsOf(context, signal, 'cli');
  const handles = context.selectProviders();

  const callsBeforePlan = sim.stats.destructiveCalls.length;
  const plans = await planRetention(
    deps,
    loaded,
    handles.map((handle) => handle.provider.name),
  );
  out.line('plan (recorded in retention_log as "planned"):');
  out.line(planSummaryTable(plans));
  for (const remark of planRemarks(plans)) out.line(remark);
  out.line(`destructive calls made by the plan: ${destructiveCallsSince(sim, callsBeforePlan)}`);
  out.line();

  const callsBeforeApply = sim.stats.destructiveCalls.length;
  const outcomes = await applyRetention(
    deps,
    loaded,
    handles.map((handle) => handle.provider),
  );
  out.line('apply:');
  out.line(applyTable(outcomes));
  for (const outcome of outcomes) if (applyFailed(outcome)) out.line(applySummaryLine(outcome));
  out.line(`destructive calls made by the apply: ${destructiveCallsSince(sim, callsBeforeApply)}`);
  const archivedIds = sim.stats.destructiveCalls.slice(callsBeforeApply).filter((call) => call.operation === 'archive').flatMap((call) => call.assetIds);
  const resent = archivedIds.length - new Set(archivedIds).size;
  if (resent > 0) out.line(`(Affogato archives many ids per call; ${resent} id(s) an answer left out were sent again)`);
}
