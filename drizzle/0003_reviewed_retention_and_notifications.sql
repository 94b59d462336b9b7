CREATE TABLE "notification_events" (
	"id" text PRIMARY KEY NOT NULL,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"delivered_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"last_error" text
);
--> statement-breakpoint
ALTER TABLE "retention_runs" ADD COLUMN "started_by" text;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD COLUMN "plan_run_id" bigint;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD COLUMN "undo_of_run_id" bigint;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD COLUMN "approved_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "retention_runs" ADD COLUMN "approved_by" text;--> statement-breakpoint
CREATE INDEX "notification_events_undelivered_idx" ON "notification_events" USING btree ("created_at") WHERE delivered_at IS NULL;