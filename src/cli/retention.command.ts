import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { createDb } from '../db/client.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { applyRetention, type ProviderApplyOutcome } from '../retention/retention-apply.ts';
import type { RetentionDeps } from '../retention/retention-plan-assessment.ts';
import { applyFailed, applyTable, planJson, planRemarks, planSummaryTable, planTable } from '../retention/retention-format.ts';
import { planRetention } from '../retention/retention-plan.ts';
import { loadRetentionRules } from '../retention/retention-rules.loader.ts';
import { loadActions } from '../db/retention.repository.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { describeFailure, EXIT_FAILED, EXIT_OK, requireProviders, runWithContext, type CommandIo } from './runtime.ts';
import { collect } from './sync.command.ts';

const FAILURES_SHOWN = 20;

function enabledProviders(context: AppContext, names: string[]): ProviderName[] {
  return requireProviders(context, names).map((handle) => handle.provider.name);
}

function depsOf(context: AppContext, io: CommandIo): RetentionDeps {
  return { pool: context.pool, logger: context.logger, signal: io.signal, providers: context.registry, notifications: context.notifications };
}

async function plan(context: AppContext, io: CommandIo, options: { provider: string[]; json?: boolean }): Promise<number> {
  const providers = enabledProviders(context, options.provider);
  const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
  if (loaded.kind === 'none') {
    if (options.json === true) io.out(JSON.stringify({ rulesFile: loaded.path, rulesFound: false, providers: [] }, null, 2));
    else io.out(`No retention rules: ${loaded.path} does not exist, so nothing is planned.`);
    return EXIT_OK;
  }
  const plans = await planRetention(depsOf(context, io), loaded, providers);
  if (options.json === true) {
    io.out(JSON.stringify(planJson(plans, loaded.path), null, 2));
    return EXIT_OK;
  }
  const decided = plans.reduce((n, p) => n + p.decisions.length, 0);
  if (decided > 0) io.out(`${planTable(plans)}\n`);
  io.out(planSummaryTable(plans));
  for (const line of planRemarks(plans)) io.out(line);
  io.out(`evaluated at ${plans[0]?.evaluatedAt.toISOString() ?? '-'} with ${loaded.path}; nothing was changed at any provider`);
  return EXIT_OK;
}

async function apply(context: AppContext, io: CommandIo, options: { provider: string[] }): Promise<number> {
  const handles = requireProviders(context, options.provider);
  const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
  const display = createProgressDisplay(io.interactive, io.err);
  const tasks = new Map(handles.map((handle) => [handle.provider.name, display.task(handle.provider.name)]));
  const deps: RetentionDeps = { ...depsOf(context, io), onProgress: (provider, settled, total) => tasks.get(provider)?.update(settled, total, 'actions settled') };
  const outcomes: ProviderApplyOutcome[] = [];
  // one provider at a time, as the job does, so each one's progress line ends when it is done
  for (const handle of handles) {
    const [outcome] = await applyRetention(deps, loaded, [handle.provider]);
    if (outcome === undefined) continue;
    outcomes.push(outcome);
    tasks.get(outcome.provider)?.finish('error' in outcome ? 'error' : `${outcome.result.applied} applied, ${outcome.result.failed} failed`);
  }
  display.stop();
  io.out(applyTable(outcomes));
  const db = createDb(context.pool);
  for (const outcome of outcomes) {
    if ('error' in outcome) {
      io.err(`${outcome.provider}: ${describeFailure(outcome.error)}`);
      continue;
    }
    const r = outcome.result;
    for (const note of r.notes) io.err(`${r.provider}: note: ${note}`);
    if (r.refused !== null) io.err(`${r.provider}: refused, nothing done: ${r.refused.reason}`);
    if (r.stopped !== null) io.err(`${r.provider}: stopped: ${r.stopped.message}`);
    if (r.pending > 0) io.err(`${r.provider}: ${r.pending} actions left; run retention apply again to finish run #${r.runId}`);
    if (r.failed > 0 && r.runId !== null) {
      const failed = await loadActions(db, r.runId, ['failed']);
      for (const action of failed.slice(0, FAILURES_SHOWN)) io.err(`${r.provider}: ${action.assetId} failed: ${action.error ?? 'unknown error'}`);
      if (failed.length > FAILURES_SHOWN) io.err(`${r.provider}: … and ${failed.length - FAILURES_SHOWN} more failures (see retention_log, run_id ${r.runId})`);
    }
  }
  return outcomes.some(applyFailed) ? EXIT_FAILED : EXIT_OK;
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
    .action((options: { provider: string[] }) => runWithContext((context, io) => apply(context, io, options)));
  for (const command of retention.commands) command.exitOverride();
  retention.exitOverride();
}
