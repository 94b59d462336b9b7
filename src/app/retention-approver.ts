/**
 * What the admin server's approve endpoint calls: approves a plan awaiting approval and carries it out in this
 * process, with this process's providers and rules file, recorded as started by `admin`.
 */
import type { RetentionApprover } from '../admin/admin-retention.routes.ts';
import { approvePlan } from '../retention/retention-approval.ts';
import type { AppContext } from './context.ts';
import { reviewedRequestOf } from './retention-deps.ts';

export function createRetentionApprover(context: AppContext, signal: AbortSignal): RetentionApprover {
  return async (planRunId, approvedBy) =>
    approvePlan(await reviewedRequestOf(context, planRunId, { signal, startedBy: 'admin', enabledWhere: 'in this worker' }), approvedBy);
}
