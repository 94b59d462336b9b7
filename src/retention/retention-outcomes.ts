/**
 * Records what happened to actions, each outcome in one transaction with its catalog effect, so the catalog and
 * retention_log never disagree: an applied archive shows status "archive", a trash `trashed_at`, a delete or a
 * 404 `removed_at`, at once.
 */
import type pg from 'pg';
import { recordActionDone, recordGone } from '../db/action-effects.repository.ts';
import { withTransaction } from '../db/transaction.ts';
import type { RetentionAction } from '../domain/retention-rules.ts';
import type { AssetProvider } from '../providers/provider.ts';
import { settleActions } from '../db/retention.repository.ts';

export interface ActionRef {
  id: number;
  assetId: string;
}

export const GONE_NOTE = 'already gone at the provider (404)';

export interface Outcomes {
  /** the provider confirmed the action (or a lookup found the asset already in the target state) */
  done: ActionRef[];
  /** the provider answered 404: nothing left to act on */
  gone: ActionRef[];
  /** back to planned, to be tried again in this run */
  retry: ActionRef[];
  failed: Array<{ refs: ActionRef[]; error: string }>;
}

export const noOutcomes = (): Outcomes => ({ done: [], gone: [], retry: [], failed: [] });

const ids = (refs: readonly ActionRef[]) => refs.map((ref) => ref.id);
const assetIds = (refs: readonly ActionRef[]) => refs.map((ref) => ref.assetId);

export async function recordOutcomes(
  pool: pg.Pool,
  provider: AssetProvider,
  action: RetentionAction,
  outcomes: Outcomes,
  at: Date,
): Promise<void> {
  // settleActions changes only actions still in_flight, so a replayed outcome is a no-op
  await withTransaction(pool, async (client) => {
    await settleActions(client, ids(outcomes.done), { state: 'applied', at });
    await recordActionDone(client, provider.name, provider.catalogEffect(action), assetIds(outcomes.done), at);
    await settleActions(client, ids(outcomes.gone), { state: 'applied', at, note: GONE_NOTE });
    await recordGone(client, provider.name, assetIds(outcomes.gone), at);
    await settleActions(client, ids(outcomes.retry), { state: 'planned' });
    for (const failure of outcomes.failed) await settleActions(client, ids(failure.refs), { state: 'failed', error: failure.error });
  });
}
