/**
 * One chunk of an archive / trash / restore / delete operation, carried out by the action engine
 * (src/actions/action-engine.ts) over the chunk's items. Items found in flight are verified by lookup before
 * anything is sent; a stop signal leaves the rest for the resumed job.
 */
import type pg from 'pg';
import { runActions } from '../actions/action-engine.ts';
import type { Logger } from '../logger.ts';
import type { AssetAction, AssetProvider } from '../providers/provider.ts';
import type { NotificationOutbox } from '../db/notification-events.repository.ts';
import { bulkChunkLedger } from './bulk-ledger.ts';
import { idsInCatalog, type BulkItem } from '../db/bulk.repository.ts';

export interface ActionChunkDeps {
  pool: pg.Pool;
  logger: Logger;
  signal: AbortSignal;
  clock: () => Date;
  /** provider calls in flight at once (the engine's default when absent) */
  concurrency?: number;
  /** records bulk.finished_with_failures when this chunk closes an operation with failed items; undefined: off */
  notifications?: NotificationOutbox | undefined;
}

export interface ChunkCounts {
  done: number;
  failed: number;
}

/**
 * 'interrupted' when the process is stopping: what is committed stays, the rest resumes with the job.
 * `closedOperation`: this chunk finished the operation's last open items.
 */
export type ActionChunkResult = ({ kind: 'finished'; closedOperation: boolean } & ChunkCounts) | { kind: 'interrupted' };

export async function runActionChunk(
  deps: ActionChunkDeps,
  operationId: number,
  chunk: number,
  provider: AssetProvider,
  action: AssetAction,
  items: readonly BulkItem[],
): Promise<ActionChunkResult> {
  const inCatalog = await idsInCatalog(deps.pool, provider.name, items.map((item) => item.assetId));
  const ledger = bulkChunkLedger(deps.pool, operationId, chunk, provider.name, items, inCatalog, deps.clock, deps.notifications);
  const result = await runActions({ pool: deps.pool, provider, action, ledger, log: deps.logger, clock: deps.clock, signal: deps.signal, concurrency: deps.concurrency });
  if (result.stopped?.kind === 'signal') return { kind: 'interrupted' };
  const { done, failed, closedOperation } = ledger.counts;
  return { kind: 'finished', closedOperation, done, failed };
}
