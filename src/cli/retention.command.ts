import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { retentionDepsOf } from '../app/retention-deps.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { applyRetention, type ProviderApplyOutcome } from '../retention/retention-apply.ts';
import type { RetentionDeps } from '../retention/retention-plan-assessment.ts';
import { planJson, planRemarks, planSummaryTable, planTable } from '../retention/retention-format.ts';
import { planRetention } from '../retention/retention-plan.ts';
import { loadRetentionRules } from '../retention/retention-rules.loader.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { EXIT_OK, requireProviders, runWithContext, type CommandIo } from './runtime.ts';
import { reportApplyOutcomes } from './retention-apply-report.ts';
import { applyPlanCommand, registerRetentionApproveCommand } from './retention-reviewed.command.ts';
import { registerRetentionRunsCommands } from './retention-runs.command.ts';
import { registerRetentionUndoCommand } from './retention-undo.command.ts';
import { collect } from './sync.command.ts';

function enabledProviders(context: AppContext, names: string[]): ProviderName[] {
  return requireProviders(context, names).map((handle) => handle.provider.name);
}

async function plan(context: AppContext, io: CommandIo, options: { provider: string[]; json?: boolean }): Promise<number> {
  const providers = enabledProviders(context, options.provider);
  const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
  if (loaded.kind === 'none') {
    if (options.json === true) io.out(JSON.stringify({ rulesFile: loaded.path, rulesFound: false, providers: [] }, null, 2));
    else io.out(`No retention rules: ${loaded.path} does not exist, so nothing is planned.`);
    return EXIT_OK;
  }
  const plans = await planRetention(retentionDepsOf(context, io.signal, 'cli'), loaded, providers);
  if (options.json === true) {
    io.out(JSON.stringify(planJson(plans, loaded.path), null, 2));
    return EXIT_OK;
  }
  const decided = plans.reduce((n, p) => n + p.decisions.length, 0);
  if (decided > 0) io.out(`${planTable(plans)}\n`);
  io.out(planSummaryTable(plans));
  for (const line of planRemarks(plans)) io.out(line);
  for (const p of plans) if (p.runId !== null && p.planned > 0) io.out(`${p.provider}: to carry out exactly this plan: retention apply --plan ${p.runId}`);
  io.out(`evaluated at ${plans[0]?.evaluatedAt.toISOString() ?? '-'} with ${loaded.path}; nothing was changed at any provider`);
  return EXIT_OK;
}

async function apply(context: AppContext, io: CommandIo, options: { provider: string[] }): Promise<number> {
  const handles = requireProviders(context, options.provider);
  const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
  const display = createProgressDisplay(io.interactive, io.err);
  const tasks = new Map(handles.map((handle) => [handle.provider.name, display.task(handle.provider.name)]));
  const deps: RetentionDeps = { ...retentionDepsOf(context, io.signal, 'cli'), onProgress: (provider, settled, total) => tasks.get(provider)?.update(settled, total, 'actions settled') };
  const outcomes: ProviderApplyOutcome[] = [];
  // one provider at a time, as the job does, so each one's progress line ends when it is done
  for (const handle of handles) {
    const [outcome] = await applyRetention(deps, loaded, [handle.provider]);
    if (outcome === undefined) continue;
    outcomes.push(outcome);
    tasks.get(outcome.provider)?.finish('error' in outcome ? 'error' : `${outcome.result.applied} applied, ${outcome.result.failed} failed`);
  }
  display.stop();
  return reportApplyOutcomes(context, io, outcomes);
}

export function registerRetentionCommand(program: Command): void {
  const retention = program.command('retention').description('retention rules: plan what they would do, then apply it within the safety limits');
  retention
    .command('plan')
    .description('evaluates the rules against the catalog, records the plan and prints it; changes nothing at any provider')
    .option('--provider <name>', 'plan only this provider (repeat for several)', collect, [])
    .option('--json', 'print the plan as JSON')
    .action((options: { provider: string[]; json?: boolean }) => runWithContext((context, io) => plan(context, io, options)));
  retention
    .command('apply')
    .description('plans, then applies within the safety limits and prints what was done; exit 1 if a safety limit stopped it or an action failed')
    .option('--provider <name>', 'apply only at this provider (repeat for several)', collect, [])
    .option('--plan <run>', 'carry out exactly the actions of this recorded plan run, each re-checked first (see retention runs)')
    .action((options: { provider: string[]; plan?: string }) =>
      runWithContext((context, io) => (options.plan === undefined ? apply(context, io, options) : applyPlanCommand(context, io, options.plan, options.provider))),
    );
  registerRetentionRunsCommands(retention);
  registerRetentionApproveCommand(retention);
  registerRetentionUndoCommand(retention);
  for (const command of retention.commands) command.exitOverride();
  retention.exitOverride();
}
