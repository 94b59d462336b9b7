/**
 * Approval mode (RETENTION_MODE=approve): the scheduled retention only plans, and records each plan with actions
 * as awaiting approval until it expires; a person approves one (`retention approve RUN` or the admin endpoint),
 * which carries it out exactly as `retention apply --plan RUN` does. An unapproved plan past its expiry is
 * marked expired and refused.
 */
import { createDb } from '../db/client.ts';
import { recordNotificationEvent } from '../db/notification-events.repository.ts';
import { expireOverduePlans, markAwaitingApproval, markPlanApproved } from '../db/retention-runs.repository.ts';
import { withTransaction } from '../db/transaction.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { InvalidRequestError } from '../errors.ts';
import type { RetentionDeps, RulesWithSource } from './retention-plan-assessment.ts';
import { planProvider, type ProviderPlan } from './retention-plan.ts';
import { carryOutPlan, expiredPlanRefused, type ReviewedApplyOutcome, type ReviewedApplyRequest } from './retention-reviewed-apply.ts';

const HOUR_MS = 3_600_000;

/**
 * The one place a recorded plan becomes awaiting approval. Whatever must happen when a plan waits for a person
 * (the `retention.awaiting_approval` notification) belongs in this transaction.
 */
export async function recordPlanAwaitingApproval(
  deps: Pick<RetentionDeps, 'pool' | 'logger' | 'notifications'>,
  plan: ProviderPlan & { runId: number },
  expiresAt: Date,
): Promise<void> {
  await withTransaction(deps.pool, async (client) => {
    await markAwaitingApproval(client, plan.runId, expiresAt);
    const data = { provider: plan.provider, runId: plan.runId, planned: plan.planned, expiresAt: expiresAt.toISOString() };
    await recordNotificationEvent(client, deps.notifications, 'retention.awaiting_approval', data);
  });
  deps.logger.info(
    { provider: plan.provider, runId: plan.runId, planned: plan.planned, expiresAt: expiresAt.toISOString() },
    `retention ${plan.provider} plan #${plan.runId}: ${plan.planned} actions awaiting approval until ${expiresAt.toISOString()} (retention approve ${plan.runId})`,
  );
}

/**
 * The scheduled retention in approve mode: plans past their expiry become expired, then each provider is planned;
 * a plan with actions waits for approval, one with none is only recorded. Nothing is sent to any provider.
 */
export async function planForApproval(deps: RetentionDeps, loaded: RulesWithSource, providers: readonly ProviderName[], ttlHours: number): Promise<ProviderPlan[]> {
  const now = (deps.clock ?? (() => new Date()))();
  const expired = await expireOverduePlans(createDb(deps.pool), now);
  if (expired.length > 0) deps.logger.info({ runIds: expired }, `retention: ${expired.length} plan(s) expired unapproved`);
  const expiresAt = new Date(now.getTime() + ttlHours * HOUR_MS);
  const plans: ProviderPlan[] = [];
  for (const provider of providers) {
    const plan = await planProvider(deps, loaded, provider, now);
    plans.push(plan);
    if (plan.runId !== null && plan.planned > 0) await recordPlanAwaitingApproval(deps, { ...plan, runId: plan.runId }, expiresAt);
  }
  return plans;
}

/**
 * Approves a plan awaiting approval and carries it out. A plan already approved is carried on (an interrupted
 * apply is finished, a finished one reported); an expired one is marked so and refused.
 */
export async function approvePlan(request: ReviewedApplyRequest, approvedBy: string): Promise<ReviewedApplyOutcome> {
  const { deps, plan } = request;
  const db = createDb(deps.pool);
  const now = (deps.clock ?? (() => new Date()))();
  const expiredNow = await expireOverduePlans(db, now, plan.id);
  if (expiredNow.length > 0 || plan.state === 'expired') {
    const reason = `plan #${plan.id} expired unapproved at ${plan.expiresAt?.toISOString() ?? 'its expiry'}: it is marked expired; plan again`;
    deps.logger.warn({ runId: plan.id }, reason);
    return expiredPlanRefused(request, reason);
  }
  if (plan.approvedAt === null) {
    if (plan.state !== 'awaiting_approval' || !(await markPlanApproved(db, plan.id, { at: now, by: approvedBy }))) {
      throw new InvalidRequestError(`plan #${plan.id} is not awaiting approval (state ${plan.state}): a plan made by \`retention plan\` is applied with \`retention apply --plan ${plan.id}\``);
    }
    deps.logger.info({ runId: plan.id, approvedBy }, `retention plan #${plan.id} approved by ${approvedBy}`);
  }
  return carryOutPlan(request);
}
