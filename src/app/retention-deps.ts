/** What the retention services need from this process, built from its context once for every caller. */
import type { RunStarter } from '../db/retention.repository.ts';
import { InvalidRequestError } from '../errors.ts';
import type { RetentionDeps } from '../retention/retention-plan-assessment.ts';
import { loadRetentionRules } from '../retention/retention-rules.loader.ts';
import { loadPlanRun, planProviderName, type ReviewedApplyRequest } from '../retention/retention-reviewed-apply.ts';
import type { AppContext } from './context.ts';

/** The context's pool, logger, provider registry and notifications, with the caller's stop signal and starter. */
export function retentionDepsOf(context: AppContext, signal: AbortSignal, startedBy: RunStarter): RetentionDeps {
  return { pool: context.pool, logger: context.logger, signal, providers: context.registry, startedBy, notifications: context.notifications };
}

/**
 * What carrying out recorded plan `planRunId` takes here: the plan, its provider (which must be enabled in this
 * process; `enabledWhere` ends the refusal, e.g. "here"), the rules file and the configured plan limits.
 */
export async function reviewedRequestOf(
  context: AppContext,
  planRunId: number,
  options: { signal: AbortSignal; startedBy: RunStarter; enabledWhere: string },
): Promise<ReviewedApplyRequest> {
  const plan = await loadPlanRun(context, planRunId);
  const providerName = planProviderName(plan);
  const handle = context.providers.get(providerName);
  if (handle === undefined) throw new InvalidRequestError(`plan #${planRunId} is for ${providerName}, which is not enabled ${options.enabledWhere}`);
  const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
  return {
    deps: retentionDepsOf(context, options.signal, options.startedBy),
    loaded,
    plan,
    provider: handle.provider,
    limits: { maxAgeMinutes: context.config.retentionPlanMaxAgeMinutes, maxDrift: context.config.retentionPlanMaxDrift },
  };
}
