/**
 * Who is changing the catalog, and as of when: set once per transaction by every writer of `assets`, read by the
 * trigger that records catalog_changes and by the columns' defaults (drizzle/0004). Transaction-local
 * (`set_config(…, true)`): it ends with the transaction, so a pooled connection never carries it to the next user.
 * Outside a transaction it would last one statement only, which is why it takes a client that is in one.
 */
import type { PoolClient } from 'pg';

/** sync: the sync's merge and its removal checks; the rest: the worker's own actions at a provider. */
export type ChangeSource = 'sync' | 'retention' | 'bulk' | 'undo';

export interface ChangeContext {
  source: ChangeSource;
  /** the instant the change is recorded at (the writer's clock) */
  at: Date;
  /** the sync run (source sync) */
  syncRunId?: number;
  /** the retention run, bulk operation or undo run behind an action */
  sourceId?: string;
}

export interface ChangeContextOptions {
  /**
   * Also turns synchronous_commit off for this transaction, in the same statement (one round trip): for a writer
   * whose commit may be lost in a database crash because it can be redone (see the sync's page writer).
   */
  asyncCommit?: boolean;
}

/** Must run inside a transaction on `client`. */
export async function setChangeContext(
  client: Pick<PoolClient, 'query'>,
  context: ChangeContext,
  options: ChangeContextOptions = {},
): Promise<void> {
  const asyncCommit = options.asyncCommit === true ? `, set_config('synchronous_commit', 'off', true)` : '';
  await client.query(
    `SELECT set_config('asset_worker.change_source', $1, true),
            set_config('asset_worker.changed_at', $2, true),
            set_config('asset_worker.sync_run_id', $3, true),
            set_config('asset_worker.change_source_id', $4, true)${asyncCommit}`,
    [context.source, context.at.toISOString(), context.syncRunId?.toString() ?? '', context.sourceId ?? ''],
  );
}
