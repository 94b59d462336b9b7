/**
 * Retention's ledger for the action engine: the actions of one apply (or undo) run in retention_actions (retention_log).
 * Only actions still in flight change, so a replayed outcome is a no-op.
 */
import type pg from 'pg';
import type { ActionLedger, LedgerEntry, Settlement } from '../actions/action-ledger.ts';
import { createDb } from '../db/client.ts';
import type { AssetAction } from '../domain/action-names.ts';
import type { ProviderName } from '../domain/provider-facts.ts';
import { claimPlannedActions, loadActions, settleActions } from '../db/retention.repository.ts';

export const GONE_NOTE = 'already gone at the provider (404)';
const RESTORE_GONE_ERROR = 'gone at the provider (404): it can no longer be restored';

const ids = (entries: readonly LedgerEntry[]) => entries.map((entry) => entry.id);

/** `source`: 'retention' for an apply run's actions, 'undo' for an undo run's restores. */
export function retentionLedger(
  pool: pg.Pool,
  runId: number,
  provider: ProviderName,
  action: AssetAction,
  source: 'retention' | 'undo',
): ActionLedger {
  return {
    changeSource: { source, sourceId: String(runId) },
    async loadInFlight() {
      const rows = await loadActions(createDb(pool), runId, ['in_flight']);
      return rows.map((row) => ({ id: row.id, assetId: row.assetId, attempts: row.attempts }));
    },
    async claim(limit) {
      const claimed = await claimPlannedActions(pool, runId, limit);
      // a bug elsewhere must not turn into a different action than the one this run takes
      const foreign = claimed.find((row) => row.action !== action);
      if (foreign !== undefined) throw new Error(`run ${runId} holds a "${foreign.action}" action at ${provider}: refusing to act`);
      return claimed.map((row) => ({ id: row.id, assetId: row.assetId, attempts: row.attempts }));
    },
    async record(tx, settlement: Settlement, at) {
      await settleActions(tx, ids(settlement.done), { state: 'applied', at });
      // a gone asset needs no archive, trash or delete any more; a restore of it failed: the asset is lost
      if (action === 'restore') await settleActions(tx, ids(settlement.gone), { state: 'failed', error: RESTORE_GONE_ERROR });
      else await settleActions(tx, ids(settlement.gone), { state: 'applied', at, note: GONE_NOTE });
      await settleActions(tx, ids(settlement.retry), { state: 'planned' });
      const byReason = new Map<string, number[]>();
      for (const failure of settlement.failed) byReason.set(failure.reason, [...(byReason.get(failure.reason) ?? []), failure.entry.id]);
      for (const [error, failedIds] of byReason) await settleActions(tx, failedIds, { state: 'failed', error });
    },
    async abandon(reason) {
      const rest = await loadActions(createDb(pool), runId, ['planned']);
      return settleActions(pool, rest.map((row) => row.id), { state: 'failed', error: reason }, ['planned']);
    },
  };
}
