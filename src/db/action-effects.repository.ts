/**
 * An action the worker itself took shows in the catalog row at once, without waiting for the next sync
 * (CONTRACT.md). What it changes is the provider adapter's answer (`catalogEffect`); a 404 on any action, or a
 * removal the sync confirmed, marks the row removed.
 */
import type { PoolClient } from 'pg';
import type { CatalogEffect } from '../providers/provider.ts';

type Queryable = Pick<PoolClient, 'query'>;

export async function recordActionDone(db: Queryable, provider: string, effect: CatalogEffect, assetIds: string[], at: Date): Promise<void> {
  if (assetIds.length === 0) return;
  const params = [provider, assetIds, at];
  switch (effect.kind) {
    case 'status':
      await db.query(`UPDATE assets SET status = $4, last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])`, [...params, effect.status]);
      return;
    case 'trashed':
      await db.query(`UPDATE assets SET trashed_at = $3, last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])`, params);
      return;
    case 'restored':
      await db.query(`UPDATE assets SET trashed_at = NULL, last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])`, params);
      return;
    case 'removed':
      await recordGone(db, provider, assetIds, at);
      return;
  }
}

/**
 * The asset is gone at the provider (a 404 on any call, a delete, or a removal the sync confirmed); returns how
 * many rows were newly marked.
 */
export async function recordGone(db: Queryable, provider: string, assetIds: string[], at: Date): Promise<number> {
  if (assetIds.length === 0) return 0;
  const result = await db.query(
    `UPDATE assets SET removed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[]) AND removed_at IS NULL`,
    [provider, assetIds, at],
  );
  return result.rowCount ?? 0;
}
