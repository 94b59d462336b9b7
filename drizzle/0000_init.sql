CREATE TABLE "assets" (
	"provider" text NOT NULL,
	"asset_id" text NOT NULL,
	"kind" text,
	"status" text,
	"title" text,
	"description" text,
	"category" text,
	"url" text,
	"width" integer,
	"height" integer,
	"duration_seconds" numeric,
	"frames" integer,
	"size_bytes" bigint,
	"tags" text[],
	"provider_created_at" timestamp with time zone,
	"provider_updated_at" timestamp with time zone,
	"first_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_seen_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_changed_at" timestamp with time zone DEFAULT now() NOT NULL,
	"trashed_at" timestamp with time zone,
	"removed_at" timestamp with time zone,
	"raw" jsonb NOT NULL,
	CONSTRAINT "assets_provider_asset_id_pk" PRIMARY KEY("provider","asset_id")
);
--> statement-breakpoint
CREATE TABLE "bulk_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"operation_id" bigint NOT NULL,
	"position" integer NOT NULL,
	"chunk" integer NOT NULL,
	"asset_id" text NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"outcome" text,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bulk_operations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"action" text NOT NULL,
	"dag_action_id" text,
	"state" text DEFAULT 'queued' NOT NULL,
	"total" integer NOT NULL,
	"chunk_size" integer NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "dag_action_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"asset_id" text NOT NULL,
	"dag_action_id" text NOT NULL,
	"provider_run_id" text,
	"status" text,
	"outcome" text DEFAULT 'starting' NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"last_polled_at" timestamp with time zone,
	"next_poll_at" timestamp with time zone,
	"deadline_at" timestamp with time zone NOT NULL,
	"poll_attempts" integer DEFAULT 0 NOT NULL,
	"messages" jsonb DEFAULT '[]'::jsonb NOT NULL,
	"error" text,
	"bulk_item_id" bigint
);
--> statement-breakpoint
CREATE TABLE "quarantine" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"run_id" bigint,
	"asset_id" text,
	"reason" text NOT NULL,
	"raw" jsonb,
	"raw_hash" text NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "retention_actions" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"run_id" bigint NOT NULL,
	"provider" text NOT NULL,
	"asset_id" text NOT NULL,
	"rule" text NOT NULL,
	"action" text NOT NULL,
	"state" text NOT NULL,
	"reason" text NOT NULL,
	"decided_at" timestamp with time zone NOT NULL,
	"applied_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"error" text
);
--> statement-breakpoint
CREATE TABLE "retention_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"mode" text NOT NULL,
	"providers" text[] NOT NULL,
	"evaluated_at" timestamp with time zone NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"state" text NOT NULL,
	"refusal" text,
	"rules_digest" text,
	"summary" jsonb
);
--> statement-breakpoint
CREATE TABLE "sync_pages" (
	"run_id" bigint NOT NULL,
	"page_key" text NOT NULL,
	"asset_ids" text[] NOT NULL,
	"committed_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_pages_run_id_page_key_pk" PRIMARY KEY("run_id","page_key")
);
--> statement-breakpoint
CREATE TABLE "sync_runs" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"provider" text NOT NULL,
	"state" text DEFAULT 'running' NOT NULL,
	"phase" text DEFAULT 'listing' NOT NULL,
	"pass" integer DEFAULT 1 NOT NULL,
	"progress" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"started_at" timestamp with time zone DEFAULT now() NOT NULL,
	"finished_at" timestamp with time zone,
	"pages" integer DEFAULT 0 NOT NULL,
	"seen" integer DEFAULT 0 NOT NULL,
	"inserted" integer DEFAULT 0 NOT NULL,
	"updated" integer DEFAULT 0 NOT NULL,
	"removed" integer DEFAULT 0 NOT NULL,
	"trashed" integer DEFAULT 0 NOT NULL,
	"quarantined" integer DEFAULT 0 NOT NULL,
	"reported_total" integer,
	"partial_reason" text,
	"error" text
);
--> statement-breakpoint
ALTER TABLE "bulk_items" ADD CONSTRAINT "bulk_items_operation_id_bulk_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."bulk_operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "retention_actions" ADD CONSTRAINT "retention_actions_run_id_retention_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."retention_runs"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_pages" ADD CONSTRAINT "sync_pages_run_id_sync_runs_id_fk" FOREIGN KEY ("run_id") REFERENCES "public"."sync_runs"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "assets_live_idx" ON "assets" USING btree ("provider") WHERE "assets"."removed_at" is null;--> statement-breakpoint
CREATE UNIQUE INDEX "bulk_items_position_idx" ON "bulk_items" USING btree ("operation_id","position");--> statement-breakpoint
CREATE INDEX "bulk_items_chunk_idx" ON "bulk_items" USING btree ("operation_id","chunk");--> statement-breakpoint
CREATE INDEX "dag_action_runs_open_idx" ON "dag_action_runs" USING btree ("next_poll_at") WHERE "dag_action_runs"."outcome" in ('starting', 'running');--> statement-breakpoint
CREATE UNIQUE INDEX "dag_action_runs_bulk_item_idx" ON "dag_action_runs" USING btree ("bulk_item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "quarantine_run_raw_idx" ON "quarantine" USING btree ("provider","run_id","raw_hash");--> statement-breakpoint
CREATE UNIQUE INDEX "retention_actions_run_asset_idx" ON "retention_actions" USING btree ("run_id","provider","asset_id");--> statement-breakpoint
CREATE INDEX "retention_actions_state_idx" ON "retention_actions" USING btree ("provider","state");--> statement-breakpoint
CREATE UNIQUE INDEX "sync_runs_one_running_idx" ON "sync_runs" USING btree ("provider") WHERE "sync_runs"."state" = 'running';--> statement-breakpoint
CREATE INDEX "sync_runs_provider_idx" ON "sync_runs" USING btree ("provider","id");