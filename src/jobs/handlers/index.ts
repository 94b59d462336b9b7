/**
 * Every job handler of the worker. The registry checks this list against JOB_DEFINITIONS at boot.
 */
import type { AnyJobHandler } from '../job-registry.ts';
import type { HandlerDeps } from './handler-deps.ts';
import { syncProviderHandler } from './sync-provider.handler.ts';

export function createJobHandlers(deps: HandlerDeps): AnyJobHandler[] {
  return [syncProviderHandler(deps)];
}
