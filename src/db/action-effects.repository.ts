/**
 * An action the worker itself took shows in the catalog row at once, without waiting for the next sync
 * (CONTRACT.md): archive → status "archive" (Affogato's own word), trash → trashed_at, restore → trashed_at
 * cleared, delete or a 404 on any action → removed_at.
 */
import type { PoolClient } from 'pg';
import type { ProviderName } from '../providers/provider-names.ts';
import { assertNever } from '../providers/provider-names.ts';
import type { AssetAction } from '../providers/provider.ts';

type Queryable = Pick<PoolClient, 'query'>;

export async function recordActionDone(db: Queryable, provider: ProviderName, action: AssetAction, assetIds: string[], at: Date): Promise<void> {
  if (assetIds.length === 0) return;
  const params = [provider, assetIds, at];
  switch (action) {
    case 'archive':
      await db.query(`UPDATE assets SET status = 'archive', last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])`, params);
      return;
    case 'trash':
      await db.query(`UPDATE assets SET trashed_at = $3, last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])`, params);
      return;
    case 'restore':
      await db.query(`UPDATE assets SET trashed_at = NULL, last_changed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[])`, params);
      return;
    case 'delete':
      await recordGone(db, provider, assetIds, at);
      return;
    default:
      assertNever(action);
  }
}

/**
 * The asset is gone at the provider (a 404 on any call, a delete, or a removal the sync confirmed); returns how
 * many rows were newly marked.
 */
export async function recordGone(db: Queryable, provider: ProviderName, assetIds: string[], at: Date): Promise<number> {
  if (assetIds.length === 0) return 0;
  const result = await db.query(
    `UPDATE assets SET removed_at = $3 WHERE provider = $1 AND asset_id = ANY ($2::text[]) AND removed_at IS NULL`,
    [provider, assetIds, at],
  );
  return result.rowCount ?? 0;
}
