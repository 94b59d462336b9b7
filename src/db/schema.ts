/**
 * Tables are internal and free to change; reporting reads the views in drizzle/*_views.sql (CONTRACT.md).
 * The catalog's history and daily figures are in schema-reporting.ts, re-exported here: this module stays the one
 * schema drizzle-kit (drizzle.config.ts) and the query builder (client.ts) read.
 */
import { sql } from 'drizzle-orm';
import {
  bigint,
  bigserial,
  index,
  integer,
  jsonb,
  numeric,
  pgTable,
  primaryKey,
  text,
  uniqueIndex,
} from 'drizzle-orm/pg-core';
import { tz } from './schema-columns.ts';

export { assetChanges, catalogDailyFigures } from './schema-reporting.ts';

/** The change context a writer sets for its transaction (src/db/change-context.ts), read by column defaults. */
const CHANGED_AT_OR_NOW = sql`coalesce(nullif(current_setting('asset_worker.changed_at', true), '')::timestamptz, now())`;
const SYNC_RUN_ID_OF_CONTEXT = sql`nullif(current_setting('asset_worker.sync_run_id', true), '')::bigint`;

export const assets = pgTable(
  'assets',
  {
    provider: text('provider').notNull(),
    assetId: text('asset_id').notNull(),
    kind: text('kind'),
    status: text('status'),
    title: text('title'),
    description: text('description'),
    category: text('category'),
    url: text('url'),
    width: integer('width'),
    height: integer('height'),
    durationSeconds: numeric('duration_seconds'),
    frames: integer('frames'),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    tags: text('tags').array(),
    providerCreatedAt: tz('provider_created_at'),
    providerUpdatedAt: tz('provider_updated_at'),
    /** defaults read the change context (src/db/change-context.ts), so a direct COPY takes the sync's clock */
    firstSeenAt: tz('first_seen_at').notNull().default(CHANGED_AT_OR_NOW),
    /** written only when the row changes; the view adds the last complete sync (unchanged rows are never rewritten) */
    lastSeenAt: tz('last_seen_at').notNull().default(CHANGED_AT_OR_NOW),
    /** last time the catalog saw the payload change: "stale" for providers without timestamps */
    lastChangedAt: tz('last_changed_at').notNull().default(CHANGED_AT_OR_NOW),
    trashedAt: tz('trashed_at'),
    removedAt: tz('removed_at'),
    raw: jsonb('raw').notNull(),
    /** the sync run that first listed the asset: catalog_changes' "appeared" row, written by no one else */
    firstSeenSyncRunId: bigint('first_seen_sync_run_id', { mode: 'number' }).default(SYNC_RUN_ID_OF_CONTEXT),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.assetId] }),
    index('assets_live_idx').on(t.provider).where(sql`${t.removedAt} is null`),
  ],
);

export const syncRuns = pgTable(
  'sync_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    /** running | complete | partial | failed */
    state: text('state').notNull().default('running'),
    /** listing | confirming | done */
    phase: text('phase').notNull().default('listing'),
    pass: integer('pass').notNull().default(1),
    /** provider-specific listing position (cursor, offset, page total), committed with each batch of pages */
    progress: jsonb('progress').notNull().default(sql`'{}'::jsonb`),
    startedAt: tz('started_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
    pages: integer('pages').notNull().default(0),
    seen: integer('seen').notNull().default(0),
    inserted: integer('inserted').notNull().default(0),
    updated: integer('updated').notNull().default(0),
    removed: integer('removed').notNull().default(0),
    trashed: integer('trashed').notNull().default(0),
    quarantined: integer('quarantined').notNull().default(0),
    reportedTotal: integer('reported_total'),
    partialReason: text('partial_reason'),
    error: text('error'),
    /** HTTP requests the run sent to the provider (retries included), committed with each batch */
    requests: integer('requests').notNull().default(0),
  },
  (t) => [
    uniqueIndex('sync_runs_one_running_idx').on(t.provider).where(sql`${t.state} = 'running'`),
    index('sync_runs_provider_idx').on(t.provider, t.id),
  ],
);

/** The ids each committed page held: the run's "seen" set, and the resume point for page-number listings. */
export const syncPages = pgTable(
  'sync_pages',
  {
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => syncRuns.id, { onDelete: 'cascade' }),
    pageKey: text('page_key').notNull(),
    assetIds: text('asset_ids').array().notNull(),
    committedAt: tz('committed_at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.pageKey] })],
);

export const quarantine = pgTable(
  'quarantine',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    provider: text('provider').notNull(),
    runId: bigint('run_id', { mode: 'number' }),
    assetId: text('asset_id'),
    reason: text('reason').notNull(),
    raw: jsonb('raw'),
    rawHash: text('raw_hash').notNull(),
    receivedAt: tz('received_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('quarantine_run_raw_idx').on(t.provider, t.runId, t.rawHash)],
);

export const retentionRuns = pgTable('retention_runs', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  /** plan | apply */
  mode: text('mode').notNull(),
  providers: text('providers').array().notNull(),
  /** the one "now" every rule of this run is evaluated against */
  evaluatedAt: tz('evaluated_at').notNull(),
  startedAt: tz('started_at').notNull().defaultNow(),
  finishedAt: tz('finished_at'),
  /** planned | awaiting_approval | expired | applying | done | refused | failed */
  state: text('state').notNull(),
  refusal: text('refusal'),
  rulesDigest: text('rules_digest'),
  summary: jsonb('summary'),
  /** who or what started the run: cli | schedule | admin */
  startedBy: text('started_by'),
  /** an apply of a reviewed plan: the plan run it carries out */
  planRunId: bigint('plan_run_id', { mode: 'number' }),
  /** an undo run: the run whose actions it reverses */
  undoOfRunId: bigint('undo_of_run_id', { mode: 'number' }),
  /** a plan awaiting approval is not applied after this */
  expiresAt: tz('expires_at'),
  approvedAt: tz('approved_at'),
  approvedBy: text('approved_by'),
});

/** One event for the notification webhook: written with the change it reports, delivered by a job until the receiver takes it. */
export const notificationEvents = pgTable(
  'notification_events',
  {
    /** stable across redeliveries, so a receiver can de-duplicate (`webhook-id`) */
    id: text('id').primaryKey(),
    /** e.g. retention.applied, sync.partial */
    type: text('type').notNull(),
    payload: jsonb('payload').notNull(),
    createdAt: tz('created_at').notNull().defaultNow(),
    deliveredAt: tz('delivered_at'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
  },
  (t) => [index('notification_events_undelivered_idx').on(t.createdAt).where(sql`delivered_at IS NULL`)],
);

export const retentionActions = pgTable(
  'retention_actions',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    runId: bigint('run_id', { mode: 'number' })
      .notNull()
      .references(() => retentionRuns.id),
    provider: text('provider').notNull(),
    assetId: text('asset_id').notNull(),
    rule: text('rule').notNull(),
    /** archive | trash | delete; restore in an undo run */
    action: text('action').notNull(),
    /** planned | in_flight | applied | failed | skipped */
    state: text('state').notNull(),
    reason: text('reason').notNull(),
    decidedAt: tz('decided_at').notNull(),
    appliedAt: tz('applied_at'),
    attempts: integer('attempts').notNull().default(0),
    error: text('error'),
  },
  (t) => [
    uniqueIndex('retention_actions_run_asset_idx').on(t.runId, t.provider, t.assetId),
    index('retention_actions_state_idx').on(t.provider, t.state),
  ],
);

export const dagActionRuns = pgTable(
  'dag_action_runs',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    assetId: text('asset_id').notNull(),
    dagActionId: text('dag_action_id').notNull(),
    /** the provider's run id; null until the start call has answered */
    providerRunId: text('provider_run_id'),
    status: text('status'),
    /** starting | running | succeeded | failed | timed_out */
    outcome: text('outcome').notNull().default('starting'),
    startedAt: tz('started_at').notNull().defaultNow(),
    finishedAt: tz('finished_at'),
    lastPolledAt: tz('last_polled_at'),
    nextPollAt: tz('next_poll_at'),
    deadlineAt: tz('deadline_at').notNull(),
    pollAttempts: integer('poll_attempts').notNull().default(0),
    messages: jsonb('messages').notNull().default(sql`'[]'::jsonb`),
    error: text('error'),
    bulkItemId: bigint('bulk_item_id', { mode: 'number' }),
  },
  (t) => [
    index('dag_action_runs_open_idx').on(t.nextPollAt).where(sql`${t.outcome} in ('starting', 'running')`),
    uniqueIndex('dag_action_runs_bulk_item_idx').on(t.bulkItemId),
  ],
);

export const bulkOperations = pgTable('bulk_operations', {
  id: bigserial('id', { mode: 'number' }).primaryKey(),
  provider: text('provider').notNull(),
  /** archive | trash | restore | delete | dag */
  action: text('action').notNull(),
  dagActionId: text('dag_action_id'),
  /** queued | running | done */
  state: text('state').notNull().default('queued'),
  total: integer('total').notNull(),
  chunkSize: integer('chunk_size').notNull(),
  createdAt: tz('created_at').notNull().defaultNow(),
  finishedAt: tz('finished_at'),
});

export const bulkItems = pgTable(
  'bulk_items',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    operationId: bigint('operation_id', { mode: 'number' })
      .notNull()
      .references(() => bulkOperations.id, { onDelete: 'cascade' }),
    position: integer('position').notNull(),
    chunk: integer('chunk').notNull(),
    assetId: text('asset_id').notNull(),
    /** pending | in_flight | done | failed | skipped */
    state: text('state').notNull().default('pending'),
    /** what happened, e.g. applied, already_gone, not_in_catalog */
    outcome: text('outcome'),
    error: text('error'),
    attempts: integer('attempts').notNull().default(0),
    updatedAt: tz('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('bulk_items_position_idx').on(t.operationId, t.position),
    index('bulk_items_chunk_idx').on(t.operationId, t.chunk),
  ],
);
