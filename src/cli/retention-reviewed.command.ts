/**
 * Reviewed plans from the command line: `retention apply --plan RUN` carries out a recorded plan, and
 * `retention approve RUN` approves a plan the scheduled retention recorded awaiting approval, then does the same.
 * Both print the re-check's drift before acting.
 */
import type { Command } from 'commander';
import type { AppContext } from '../app/context.ts';
import { reviewedRequestOf } from '../app/retention-deps.ts';
import { parseRunNumber } from '../domain/run-number.ts';
import { approvePlan } from '../retention/retention-approval.ts';
import { applyReviewedPlan, planProviderName, type ReviewedApplyOutcome, type ReviewedApplyRequest } from '../retention/retention-reviewed-apply.ts';
import { driftLines, reviewedOutcomeLines } from '../retention/retention-runs.format.ts';
import { createProgressDisplay } from '../util/progress-display.ts';
import { reportApplyOutcomes } from './retention-apply-report.ts';
import { EXIT_FAILED, EXIT_OK, runWithContext, type CommandIo } from './runtime.ts';
import { UsageError } from './usage-error.ts';

export function parseRunId(value: string, what = 'RUN'): number {
  const runId = parseRunNumber(value.trim());
  if (runId === undefined) throw new UsageError(`${what} must be a run number such as 12 (got ${JSON.stringify(value)})`);
  return runId;
}

async function reviewedRequest(context: AppContext, io: CommandIo, planRunId: number): Promise<{ request: ReviewedApplyRequest; stopDisplay: () => void }> {
  const reviewed = await reviewedRequestOf(context, planRunId, { signal: io.signal, startedBy: 'cli', enabledWhere: 'here' });
  const display = createProgressDisplay(io.interactive, io.err);
  const task = display.task(planProviderName(reviewed.plan));
  const request: ReviewedApplyRequest = {
    ...reviewed,
    deps: { ...reviewed.deps, onProgress: (_provider, settled, total) => task.update(settled, total, 'actions settled') },
    onDrift: (drift) => {
      for (const line of driftLines(planRunId, drift)) io.out(line);
      io.out('');
    },
  };
  return { request, stopDisplay: () => display.stop() };
}

async function report(context: AppContext, io: CommandIo, outcome: ReviewedApplyOutcome): Promise<number> {
  for (const line of reviewedOutcomeLines(outcome)) io.err(line);
  switch (outcome.kind) {
    case 'refused':
      return EXIT_FAILED;
    case 'already_applied':
      return outcome.state === 'done' ? EXIT_OK : EXIT_FAILED;
    case 'applied':
    case 'resumed':
      return reportApplyOutcomes(context, io, [{ provider: outcome.plan.provider, result: outcome.result }]);
  }
}

async function carryOut(context: AppContext, io: CommandIo, planRunId: number, run: (request: ReviewedApplyRequest) => Promise<ReviewedApplyOutcome>): Promise<number> {
  const { request, stopDisplay } = await reviewedRequest(context, io, planRunId);
  let outcome: ReviewedApplyOutcome;
  try {
    outcome = await run(request);
  } finally {
    stopDisplay();
  }
  return report(context, io, outcome);
}

/** `retention apply --plan RUN`; `--provider` does not combine with it (the plan names its provider). */
export async function applyPlanCommand(context: AppContext, io: CommandIo, run: string, providers: readonly string[]): Promise<number> {
  if (providers.length > 0) throw new UsageError('--plan and --provider do not combine: the plan run names its provider');
  return carryOut(context, io, parseRunId(run, '--plan'), applyReviewedPlan);
}

export function registerRetentionApproveCommand(retention: Command): void {
  retention
    .command('approve')
    .argument('<run>', 'the plan run awaiting approval (see retention runs)')
    .description('approves a plan the scheduled retention recorded awaiting approval (RETENTION_MODE=approve) and carries it out as apply --plan does')
    .option('--by <name>', 'who approves, recorded with the plan', 'cli')
    .action((run: string, options: { by: string }) =>
      runWithContext((context, io) => carryOut(context, io, parseRunId(run), (request) => approvePlan(request, options.by))),
    );
}
