/** The actions the worker knows, by name: what a provider's facts, rules and bulk requests may name. Pure. */

/** What one provider call can do to an asset. */
export type AssetAction = 'archive' | 'trash' | 'restore' | 'delete';

export const RETENTION_ACTIONS = ['archive', 'trash', 'delete'] as const;
export type RetentionAction = (typeof RETENTION_ACTIONS)[number];

export const BULK_ACTIONS = ['archive', 'trash', 'restore', 'delete', 'dag'] as const;
export type BulkAction = (typeof BULK_ACTIONS)[number];

export function isBulkAction(value: string): value is BulkAction {
  return (BULK_ACTIONS as readonly string[]).includes(value);
}

export function isAssetAction(action: BulkAction): action is AssetAction {
  return action !== 'dag';
}
