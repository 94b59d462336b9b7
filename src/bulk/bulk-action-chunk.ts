/**
 * One chunk of an archive / trash / restore / delete operation. Each item is marked in_flight before its call and
 * finished after it, with its catalog effect, in one transaction. An item found in_flight when the chunk starts
 * was perhaps acted on by an attempt that died: the provider's detail endpoint says whether it was, so it is
 * never acted on twice. Calls that answer "not done" (Affogato's partial archive answers) go round again.
 */
import type pg from 'pg';
import { recordActionDone, recordGone } from '../db/action-effects.repository.ts';
import { itemOutcome } from '../domain/bulk-plan.ts';
import { ProviderError, errorMessage } from '../errors.ts';
import type { Logger } from '../logger.ts';
import type { ProviderName } from '../providers/provider-names.ts';
import type { AssetAction, AssetProvider } from '../providers/provider.ts';
import { chunk as inBatches } from '../util/concurrency.ts';
import { finishItems, idsInCatalog, markInFlight, returnToPending, type BulkItem, type ItemFinish } from '../db/bulk.repository.ts';
import type { Db } from '../db/client.ts';

export interface ActionChunkDeps {
  pool: pg.Pool;
  db: Db;
  logger: Logger;
  signal: AbortSignal;
  clock: () => Date;
  /** calls per item before an item the provider keeps leaving out is checked and, if still not done, failed */
  maxAttempts: number;
}

export interface ChunkCounts {
  done: number;
  failed: number;
}

/** 'interrupted' when the process is stopping: what is committed stays, the rest resumes with the job. */
/** `closedOperation`: this chunk finished the operation's last open items */
export type ActionChunkResult = ({ kind: 'finished'; closedOperation: boolean } & ChunkCounts) | { kind: 'interrupted' };

export async function runActionChunk(
  deps: ActionChunkDeps,
  operationId: number,
  provider: AssetProvider,
  action: AssetAction,
  items: readonly BulkItem[],
): Promise<ActionChunkResult> {
  const name: ProviderName = provider.name;
  const inCatalog = await idsInCatalog(deps.pool, name, items.map((item) => item.assetId));
  const counts: ChunkCounts = { done: 0, failed: 0 };
  const attempts = new Map(items.map((item) => [item.id, item.attempts]));
  let closedOperation = false;

  const finish = async (done: BulkItem[], gone: BulkItem[], failed: Array<{ item: BulkItem; error: string }>) => {
    const at = deps.clock();
    const finishes: ItemFinish[] = [
      ...done.map((item) => ({ itemId: item.id, state: 'done' as const, outcome: itemOutcome('applied', inCatalog.has(item.assetId)) })),
      ...gone.map((item) => ({ itemId: item.id, state: 'done' as const, outcome: itemOutcome('already_gone', inCatalog.has(item.assetId)) })),
      ...failed.map(({ item, error }) => ({ itemId: item.id, state: 'failed' as const, outcome: itemOutcome('not_applied', inCatalog.has(item.assetId)), error })),
    ];
    const closed = await finishItems(deps.pool, operationId, finishes, at, async (client) => {
      await recordActionDone(client, name, provider.catalogEffect(action), done.map((item) => item.assetId), at);
      await recordGone(client, name, gone.map((item) => item.assetId), at);
    });
    closedOperation ||= closed;
    counts.done += done.length + gone.length;
    counts.failed += failed.length;
  };

  /** Settles items whose call may have happened, from the provider's own state; returns those still to do. */
  const settleFromProvider = async (candidates: readonly BulkItem[], giveUp: boolean): Promise<BulkItem[] | 'interrupted'> => {
    const again: BulkItem[] = [];
    for (const item of candidates) {
      if (deps.signal.aborted) return 'interrupted';
      let effect;
      try {
        effect = provider.effectSeen(action, await provider.lookup(item.assetId));
      } catch (error) {
        if (error instanceof ProviderError && !error.retryable) {
          await finish([], [], [{ item, error: error.message }]);
          continue;
        }
        throw error;
      }
      if (effect === 'applied') await finish([item], [], []);
      else if (effect === 'gone') await finish([], [item], []);
      else if (giveUp) await finish([], [], [{ item, error: `the provider did not ${action} it in ${attempts.get(item.id) ?? 0} attempts` }]);
      else again.push(item);
    }
    return again;
  };

  const resumed = await settleFromProvider(items.filter((item) => item.state === 'in_flight'), false);
  if (resumed === 'interrupted') return { kind: 'interrupted' };
  let pending = [...items.filter((item) => item.state === 'pending'), ...resumed];

  while (pending.length > 0) {
    const next: BulkItem[] = [];
    const exhausted: BulkItem[] = [];
    for (const batch of inBatches(pending, Math.max(1, provider.batchSize(action)))) {
      if (deps.signal.aborted) return { kind: 'interrupted' };
      await markInFlight(deps.pool, batch.map((item) => item.id), deps.clock());
      for (const item of batch) attempts.set(item.id, (attempts.get(item.id) ?? 0) + 1);
      let result;
      try {
        result = await provider.perform(action, batch.map((item) => item.assetId));
      } catch (error) {
        // 403, 4xx: the call was refused as a whole, nothing was done; anything else (429s and 5xx past the HTTP
        // path's own retries, a database failure) fails the job so BullMQ retries it, and the resume check above
        // finds out what the interrupted call did
        if (error instanceof ProviderError && !error.retryable) {
          await finish([], [], batch.map((item) => ({ item, error: errorMessage(error) })));
          continue;
        }
        throw error;
      }
      const byAsset = new Map(batch.map((item) => [item.assetId, item]));
      const pick = (ids: readonly string[]) => ids.flatMap((id) => byAsset.get(id) ?? []);
      await finish(pick(result.done), pick(result.gone), []);
      const notDone = pick(result.notDone);
      if (notDone.length > 0) {
        deps.logger.info({ notDone: notDone.length }, 'the provider left some ids undone; they go round again');
      }
      const retry = notDone.filter((item) => (attempts.get(item.id) ?? 0) < deps.maxAttempts);
      next.push(...retry);
      exhausted.push(...notDone.filter((item) => !retry.includes(item)));
      await returnToPending(deps.db, retry.map((item) => item.id), 'left undone by the provider; retried', deps.clock());
    }
    // before failing an item the provider kept leaving out, ask it: it may be done (or gone) after all
    const settled = await settleFromProvider(exhausted, true);
    if (settled === 'interrupted') return { kind: 'interrupted' };
    pending = next;
  }
  return { kind: 'finished', closedOperation, ...counts };
}
