CREATE TABLE "asset_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"asset_id" text NOT NULL,
	"change" text NOT NULL,
	"old_value" text,
	"new_value" text,
	"observed_at" timestamp with time zone NOT NULL,
	"sync_run_id" bigint,
	"source" text NOT NULL,
	"source_id" text
);
--> statement-breakpoint
CREATE TABLE "catalog_daily_figures" (
	"provider" text NOT NULL,
	"day" date NOT NULL,
	"status" text,
	"kind" text,
	"assets" bigint NOT NULL,
	"bytes" bigint NOT NULL,
	"as_of" timestamp with time zone NOT NULL,
	"computed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "assets" ALTER COLUMN "first_seen_at" SET DEFAULT coalesce(nullif(current_setting('asset_worker.changed_at', true), '')::timestamptz, now());--> statement-breakpoint
ALTER TABLE "assets" ALTER COLUMN "last_seen_at" SET DEFAULT coalesce(nullif(current_setting('asset_worker.changed_at', true), '')::timestamptz, now());--> statement-breakpoint
ALTER TABLE "assets" ALTER COLUMN "last_changed_at" SET DEFAULT coalesce(nullif(current_setting('asset_worker.changed_at', true), '')::timestamptz, now());--> statement-breakpoint
ALTER TABLE "assets" ADD COLUMN "first_seen_sync_run_id" bigint DEFAULT nullif(current_setting('asset_worker.sync_run_id', true), '')::bigint;--> statement-breakpoint
ALTER TABLE "sync_runs" ADD COLUMN "requests" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "asset_changes_observed_idx" ON "asset_changes" USING btree ("observed_at");--> statement-breakpoint
CREATE INDEX "asset_changes_asset_idx" ON "asset_changes" USING btree ("provider","asset_id","observed_at");--> statement-breakpoint
CREATE INDEX "catalog_daily_figures_day_idx" ON "catalog_daily_figures" USING btree ("day","provider");--> statement-breakpoint
-- Every change to an asset the catalog already held, one row per changed field, attributed to the change context
-- its writer set for the transaction (src/db/change-context.ts). A statement-level trigger with transition
-- tables: one INSERT per statement, however many rows it changed. The sync's merge rewrites only rows whose
-- payload changed, so an unchanged re-sync fires it with no rows and writes nothing.
CREATE FUNCTION record_asset_changes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO asset_changes (provider, asset_id, change, old_value, new_value, observed_at, sync_run_id, source, source_id)
  SELECT n.provider, n.asset_id, c.change, c.old_value, c.new_value,
    coalesce(nullif(current_setting('asset_worker.changed_at', true), '')::timestamptz, now()),
    nullif(current_setting('asset_worker.sync_run_id', true), '')::bigint,
    coalesce(nullif(current_setting('asset_worker.change_source', true), ''), 'unattributed'),
    nullif(current_setting('asset_worker.change_source_id', true), '')
  FROM old_rows o
  JOIN new_rows n ON n.provider = o.provider AND n.asset_id = o.asset_id
  CROSS JOIN LATERAL (VALUES
    ('appeared', NULL, NULL, o.removed_at IS NOT NULL AND n.removed_at IS NULL),
    ('removed', NULL, NULL, o.removed_at IS NULL AND n.removed_at IS NOT NULL),
    ('trashed', NULL, NULL, o.trashed_at IS NULL AND n.trashed_at IS NOT NULL),
    ('restored', NULL, NULL, o.trashed_at IS NOT NULL AND n.trashed_at IS NULL),
    ('status', o.status, n.status, o.status IS DISTINCT FROM n.status),
    ('title', o.title, n.title, o.title IS DISTINCT FROM n.title),
    ('tags', array_to_json(o.tags)::text, array_to_json(n.tags)::text, o.tags IS DISTINCT FROM n.tags)
  ) AS c(change, old_value, new_value, changed)
  WHERE c.changed;
  RETURN NULL;
END
$$;
--> statement-breakpoint
CREATE TRIGGER assets_record_changes
  AFTER UPDATE ON assets
  REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
  FOR EACH STATEMENT EXECUTE FUNCTION record_asset_changes();
--> statement-breakpoint
-- Reporting views (CONTRACT.md's rule: their columns only grow).
-- An asset's first appearance is read from its catalog row, so a first import writes no second copy of itself;
-- a return after a removal is an "appeared" row of asset_changes.
CREATE VIEW catalog_changes AS
SELECT
  a.provider,
  a.asset_id,
  'appeared'::text AS change,
  NULL::text AS old_value,
  NULL::text AS new_value,
  a.first_seen_at AS observed_at,
  a.first_seen_sync_run_id AS sync_run_id,
  'sync'::text AS source,
  NULL::text AS source_id
FROM assets a
UNION ALL
SELECT c.provider, c.asset_id, c.change, c.old_value, c.new_value, c.observed_at, c.sync_run_id, c.source, c.source_id
FROM asset_changes c;
--> statement-breakpoint
CREATE VIEW catalog_daily AS
SELECT d.provider, d.day, d.status, d.kind, d.assets, d.bytes, d.as_of
FROM catalog_daily_figures d;
