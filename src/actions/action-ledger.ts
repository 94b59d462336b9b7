/**
 * What a user of the action engine (retention, bulk) supplies: where its actions are kept and how their states
 * change. The engine decides every outcome; a ledger only stores it.
 */
import type pg from 'pg';
import type { ChangeSource } from '../db/change-context.ts';

/** One action on one asset, as the ledger keeps it. */
export interface LedgerEntry {
  /** the ledger's own row id */
  id: number;
  assetId: string;
  /** calls sent for it so far, counting the one it was last claimed for */
  attempts: number;
}

export interface Settlement {
  done: LedgerEntry[];
  /** the provider answered 404, or a lookup found the asset gone */
  gone: LedgerEntry[];
  /** back to planned/pending: sent again in this run */
  retry: LedgerEntry[];
  failed: Array<{ entry: LedgerEntry; reason: string }>;
}

/** Whose actions a ledger keeps: the catalog changes they cause are attributed to it (catalog_changes.source, source_id). */
export interface ActionChangeSource {
  source: Exclude<ChangeSource, 'sync'>;
  /** the retention run, bulk operation or undo run */
  sourceId: string;
}

export interface ActionLedger {
  readonly changeSource: ActionChangeSource;
  /** entries an earlier attempt left in flight: settled by lookup before anything is sent */
  loadInFlight(): Promise<LedgerEntry[]>;
  /** the next planned/pending entries, marked in flight (attempts + 1) and committed before any call */
  claim(limit: number): Promise<LedgerEntry[]>;
  /** records outcomes inside the engine's transaction (which also writes the catalog effect); in-flight entries only */
  record(tx: pg.PoolClient, settlement: Settlement, at: Date): Promise<void>;
  /** the run stopped (permission, a provider that keeps failing): every entry not yet sent is recorded failed */
  abandon(reason: string, at: Date): Promise<number>;
}

export const emptySettlement = (): Settlement => ({ done: [], gone: [], retry: [], failed: [] });

export const settledCount = (settlement: Settlement): number => settlement.done.length + settlement.gone.length + settlement.failed.length;
