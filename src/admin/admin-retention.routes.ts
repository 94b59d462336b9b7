/**
 * Retention approval over the admin API (behind the admin token): POST /admin/retention/runs/:id/approve approves
 * a plan awaiting approval and carries it out, answering with what was done (200), or why not (404 unknown run,
 * 409 refused, expired or not awaiting approval).
 */
import type { FastifyInstance } from 'fastify';
import type { Db } from '../db/client.ts';
import { findRun } from '../db/retention-runs.repository.ts';
import { parseRunNumber } from '../domain/run-number.ts';
import { InvalidRequestError } from '../errors.ts';
import type { ReviewedApplyOutcome } from '../retention/retention-reviewed-apply.ts';
import { reviewedOutcomeJson } from '../retention/retention-runs.format.ts';

/** Approves plan run `planRunId` on behalf of `approvedBy` and carries it out; built by the app from its context. */
export type RetentionApprover = (planRunId: number, approvedBy: string) => Promise<ReviewedApplyOutcome>;

const DEFAULT_APPROVER = 'admin';
const MAX_APPROVER_LENGTH = 200;

export function registerAdminRetentionRoutes(app: FastifyInstance, deps: { db: Db; approve: RetentionApprover | undefined }): void {
  app.post('/admin/retention/runs/:id/approve', async (request, reply) => {
    const { id } = request.params as { id: string };
    const runId = parseRunNumber(id);
    if (runId === undefined) return reply.code(400).send({ error: `run id must be a run number (got ${JSON.stringify(id)})` });
    const body = (request.body ?? {}) as { by?: unknown };
    if (body.by !== undefined && (typeof body.by !== 'string' || body.by.trim() === '' || body.by.length > MAX_APPROVER_LENGTH)) {
      return reply.code(400).send({ error: `"by" must be a non-empty string of at most ${MAX_APPROVER_LENGTH} characters` });
    }
    if (deps.approve === undefined) return reply.code(503).send({ error: 'retention approval is not available in this process' });
    if ((await findRun(deps.db, runId)) === undefined) return reply.code(404).send({ error: `there is no retention run #${runId}` });
    let outcome: ReviewedApplyOutcome;
    try {
      outcome = await deps.approve(runId, typeof body.by === 'string' ? body.by.trim() : DEFAULT_APPROVER);
    } catch (error) {
      if (error instanceof InvalidRequestError) return reply.code(409).send({ error: error.message });
      throw error;
    }
    return reply.code(outcome.kind === 'refused' ? 409 : 200).send(reviewedOutcomeJson(outcome));
  });
}
