CREATE TABLE "task_schedules" (
	"id" text PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"cron" text NOT NULL,
	"timezone" text DEFAULT 'UTC' NOT NULL,
	"external_id" text,
	"deduplication_key" text NOT NULL,
	"window" text,
	"active" boolean DEFAULT true NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_schedules_deduplication_key_unique" UNIQUE("deduplication_key")
);
--> statement-breakpoint
ALTER TABLE "task_runs" DROP CONSTRAINT "task_runs_status_ck";--> statement-breakpoint
ALTER TABLE "task_batches" ADD COLUMN "items_received" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "priority" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "machine" text;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "ttl" text;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "expires_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "delayed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "task_runs" ADD COLUMN "schedule_id" text;--> statement-breakpoint
CREATE INDEX "task_runs_created_idx" ON "task_runs" USING btree ("created_at","id");--> statement-breakpoint
CREATE INDEX "task_runs_lease_idx" ON "task_runs" USING btree ("lease_until") WHERE "task_runs"."status" = 'running';--> statement-breakpoint
ALTER TABLE "task_runs" ADD CONSTRAINT "task_runs_status_ck" CHECK ("task_runs"."status" in ('queued', 'running', 'completed', 'failed', 'interrupted', 'canceled', 'expired'));