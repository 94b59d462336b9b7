/**
 * The catalog's history and reporting tables (drizzle/0004): what catalog_changes and catalog_daily read.
 * schema.ts re-exports them, so drizzle-kit and the query builder see one schema.
 */
import { bigint, bigserial, date, index, pgTable, text } from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

/**
 * Every change the catalog saw in an asset it already held, one row per changed field: written by a trigger on
 * `assets` (drizzle/0004), so the sync's merge (which rewrites only changed rows) and the worker's own actions
 * both land here, each with the change context of its transaction. An asset's first appearance is not stored
 * here: catalog_changes reads it from the catalog row (first_seen_at, first_seen_sync_run_id), so a first import
 * writes no second copy of itself. Not pruned: it is the catalog's history.
 */
export const assetChanges = pgTable(
  'asset_changes',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    assetId: text('asset_id').notNull(),
    /** appeared (came back after a removal) | removed | trashed | restored | status | title | tags */
    change: text('change').notNull(),
    oldValue: text('old_value'),
    newValue: text('new_value'),
    observedAt: tz('observed_at').notNull(),
    syncRunId: bigint('sync_run_id', { mode: 'number' }),
    /** sync | retention | bulk | undo | unattributed */
    source: text('source').notNull(),
    /** the retention run, bulk operation or undo run behind a worker's action */
    sourceId: text('source_id'),
  },
  (t) => [
    index('asset_changes_observed_idx').on(t.observedAt),
    index('asset_changes_asset_idx').on(t.provider, t.assetId, t.observedAt),
  ],
);

/** Live assets per provider, day, status and kind: written by the catalog.daily job, read by catalog_daily. */
export const catalogDailyFigures = pgTable(
  'catalog_daily_figures',
  {
    provider: text('provider').notNull(),
    /** a UTC day */
    day: date('day', { mode: 'string' }).notNull(),
    status: text('status'),
    kind: text('kind'),
    assets: bigint('assets', { mode: 'number' }).notNull(),
    bytes: bigint('bytes', { mode: 'number' }).notNull(),
    /** the instant the figures describe: the day's end, or when they were taken if the day had not ended */
    asOf: tz('as_of').notNull(),
    computedAt: tz('computed_at').notNull().defaultNow(),
  },
  (t) => [index('catalog_daily_figures_day_idx').on(t.day, t.provider)],
);
