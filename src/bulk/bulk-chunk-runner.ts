/**
 * Runs one chunk job of a bulk operation: picks the provider and the kind of work, loads the chunk's open items.
 */
import type pg from 'pg';
import type { Db } from '../db/client.ts';
import { isAssetAction, isBulkAction } from '../domain/bulk-request.ts';
import { DEFAULT_DAG_POLL_POLICY, type DagPollPolicy } from '../domain/dag-poll-policy.ts';
import type { Queues } from '../jobs/queues.ts';
import type { Logger } from '../logger.ts';
import type { ProviderHandle } from '../providers/provider-factory.ts';
import type { ProviderFactsLookup, ProviderName } from '../domain/provider-facts.ts';
import { runActionChunk } from './bulk-action-chunk.ts';
import { tryLockChunk } from './bulk-chunk-lock.ts';
import { runDagChunk } from './bulk-dag-chunk.ts';
import { getOperation, loadOpenChunkItems, markOperationRunning } from '../db/bulk.repository.ts';
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import { logOperationFinished } from '../db/bulk-operation-summary.ts';

export interface BulkChunkDeps {
  pool: pg.Pool;
  db: Db;
  logger: Logger;
  providers: ReadonlyMap<ProviderName, ProviderHandle>;
  /** the provider registry: an operation naming a provider it does not know cannot run anywhere */
  registry: ProviderFactsLookup;
  queues: Queues;
  signal: AbortSignal;
  dagPolicy?: DagPollPolicy;
  notifications?: NotificationOutbox | undefined;
}

export type ChunkOutcome =
  | { kind: 'finished'; items: number; done?: number; failed?: number; started?: number }
  | { kind: 'interrupted' }
  | { kind: 'nothing_to_do' }
  /** another runner has the chunk (see bulk-chunk-lock.ts): this job comes back later */
  | { kind: 'busy' };

/** Thrown when this process cannot do the chunk (its provider is not configured here): the job is retried. */
export class ChunkNotRunnableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ChunkNotRunnableError';
  }
}

export async function runBulkChunk(deps: BulkChunkDeps, operationId: number, chunk: number): Promise<ChunkOutcome> {
  const lock = await tryLockChunk(deps.pool, operationId, chunk);
  if (lock === undefined) return { kind: 'busy' };
  try {
    return await runLockedChunk(deps, operationId, chunk);
  } finally {
    await lock.release();
  }
}

async function runLockedChunk(deps: BulkChunkDeps, operationId: number, chunk: number): Promise<ChunkOutcome> {
  const operation = await getOperation(deps.db, operationId);
  if (operation === undefined) return { kind: 'nothing_to_do' };
  const items = await loadOpenChunkItems(deps.db, operationId, chunk);
  if (items.length === 0) return { kind: 'nothing_to_do' };
  const { provider: providerName, action } = operation;
  if (deps.registry.facts(providerName) === undefined || !isBulkAction(action)) {
    throw new ChunkNotRunnableError(`bulk operation ${operationId} names an unknown provider or action (${providerName} ${action})`);
  }
  const handle = deps.providers.get(providerName);
  if (handle === undefined) throw new ChunkNotRunnableError(`${providerName} is not enabled in this worker: bulk operation ${operationId} waits for one where it is`);
  await markOperationRunning(deps.db, operationId);
  const clock = () => new Date();
  const log = deps.logger.child({ operationId, chunk, provider: providerName, action });

  if (isAssetAction(action)) {
    const result = await runActionChunk(
      { pool: deps.pool, logger: log, signal: deps.signal, clock, notifications: deps.notifications },
      operationId,
      chunk,
      handle.provider,
      action,
      items,
    );
    if (result.kind === 'interrupted') return result;
    if (result.closedOperation) await logOperationFinished(deps.db, deps.logger, operationId);
    return { kind: 'finished', items: items.length, done: result.done, failed: result.failed };
  }
  if (handle.dagActions === undefined || operation.dagActionId === null) {
    throw new ChunkNotRunnableError(`bulk operation ${operationId}: ${providerName} has no DAG actions, or the operation names none`);
  }
  const result = await runDagChunk(
    {
      pool: deps.pool,
      db: deps.db,
      dagActions: handle.dagActions,
      logger: log,
      policy: deps.dagPolicy ?? DEFAULT_DAG_POLL_POLICY,
      clock,
      queues: deps.queues,
      signal: deps.signal,
      notifications: deps.notifications,
    },
    operation.dagActionId,
    items,
  );
  return result.kind === 'interrupted' ? result : { kind: 'finished', items: items.length, started: result.started };
}
