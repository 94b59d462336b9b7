import { UnrecoverableError } from 'bullmq';
import { ConfigError, errorMessage } from '../../errors.ts';
import { applyRetention } from '../../retention/retention-apply.ts';
import { planForApproval } from '../../retention/retention-approval.ts';
import { loadRetentionRules } from '../../retention/retention-rules.loader.ts';
import type { JobHandler } from '../../jobs/job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { retentionDepsOf } from '../retention-deps.ts';
import { parkForShutdown } from '../../jobs/park-job.ts';

/**
 * The scheduled retention (RETENTION_CRON). With RETENTION_MODE=approve it only plans, recording each plan with
 * actions as awaiting approval (retention-approval.ts). Otherwise: the same code path as `retention apply`, for every enabled provider,
 * which logs one summary line per provider. Refusals and failed actions are recorded outcomes, not job failures (the
 * next schedule tries again); an unexpected error is rethrown so BullMQ retries, and the retry finishes the
 * interrupted run without repeating a completed action.
 */
export function retentionApplyHandler(deps: HandlerDeps): JobHandler<'retention.apply'> {
  return {
    name: 'retention.apply',
    async handle(job, token) {
      const { context } = deps;
      const log = context.logger.child({ job: job.name, jobId: job.id });
      let loaded;
      try {
        loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
      } catch (error) {
        if (error instanceof ConfigError) {
          log.error({ err: error }, 'retention rules are invalid: nothing applied');
          // the file will not fix itself between attempts
          throw new UnrecoverableError(`retention rules are invalid: ${error.message}`);
        }
        throw error;
      }
      const providers = [...context.providers.values()].map((handle) => handle.provider);
      const retentionDeps = retentionDepsOf(context, deps.shutdownSignal, 'schedule');
      if (context.config.retentionMode === 'approve') {
        // approval mode: only plan; a person approves a plan before anything is sent
        if (loaded.kind === 'none') {
          log.info(`no rules file (${loaded.path}): nothing planned`);
          return [];
        }
        const plans = await planForApproval(retentionDeps, loaded, providers.map((provider) => provider.name), context.config.retentionApprovalTtlHours);
        return plans.map((plan) => ({ provider: plan.provider, planRunId: plan.runId, planned: plan.planned, skipped: plan.skipped }));
      }
      const outcomes = await applyRetention(retentionDeps, loaded, providers);
      // stopped for a shutdown: the next attempt finishes the runs from where they stopped
      if (deps.shutdownSignal.aborted) return parkForShutdown(job, token);
      const crashed = outcomes.find((outcome) => 'error' in outcome);
      if (crashed !== undefined && 'error' in crashed) {
        throw crashed.error instanceof Error ? crashed.error : new Error(errorMessage(crashed.error));
      }
      return outcomes.map((outcome) => ('error' in outcome ? { provider: outcome.provider, error: true } : outcome.result));
    },
  };
}
