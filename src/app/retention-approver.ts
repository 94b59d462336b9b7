/**
 * What the admin server's approve endpoint calls: approves a plan awaiting approval and carries it out in this
 * process, with this process's providers and rules file, recorded as started by `admin`.
 */
import type { RetentionApprover } from '../admin/admin-retention.routes.ts';
import { InvalidRequestError } from '../errors.ts';
import { approvePlan } from '../retention/retention-approval.ts';
import { loadRetentionRules } from '../retention/retention-rules.loader.ts';
import { loadPlanRun, planProviderName } from '../retention/retention-reviewed-apply.ts';
import type { AppContext } from './context.ts';
import { retentionDepsOf } from './retention-deps.ts';

export function createRetentionApprover(context: AppContext, signal: AbortSignal): RetentionApprover {
  return async (planRunId, approvedBy) => {
    const plan = await loadPlanRun(context, planRunId);
    const providerName = planProviderName(plan);
    const handle = context.providers.get(providerName);
    if (handle === undefined) throw new InvalidRequestError(`plan #${planRunId} is for ${providerName}, which is not enabled in this worker`);
    const loaded = await loadRetentionRules(context.config, process.cwd(), context.registry);
    return approvePlan(
      {
        deps: retentionDepsOf(context, signal, 'admin'),
        loaded,
        plan,
        provider: handle.provider,
        limits: { maxAgeMinutes: context.config.retentionPlanMaxAgeMinutes, maxDrift: context.config.retentionPlanMaxDrift },
      },
      approvedBy,
    );
  };
}
