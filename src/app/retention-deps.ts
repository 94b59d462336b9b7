/** What the retention services need from this process, built from its context once for every caller. */
import type { RunStarter } from '../db/retention.repository.ts';
import type { RetentionDeps } from '../retention/retention-plan-assessment.ts';
import type { AppContext } from './context.ts';

/** The context's pool, logger, provider registry and notifications, with the caller's stop signal and starter. */
export function retentionDepsOf(context: AppContext, signal: AbortSignal, startedBy: RunStarter): RetentionDeps {
  return { pool: context.pool, logger: context.logger, signal, providers: context.registry, startedBy, notifications: context.notifications };
}
