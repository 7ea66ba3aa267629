CREATE TABLE "schedule_ticks" (
	"task_id" text NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"run_id" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "schedule_ticks_task_id_scheduled_for_pk" PRIMARY KEY("task_id","scheduled_for")
);
--> statement-breakpoint
CREATE TABLE "task_batches" (
	"id" text PRIMARY KEY NOT NULL,
	"run_count" integer NOT NULL,
	"idempotency_key" text,
	"parent_run_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_batches_idempotency_key_unique" UNIQUE("idempotency_key")
);
--> statement-breakpoint
CREATE TABLE "task_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"task_id" text NOT NULL,
	"payload" text,
	"payload_type" text DEFAULT 'application/json' NOT NULL,
	"status" text DEFAULT 'queued' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"max_attempts" integer,
	"output" jsonb,
	"error" jsonb,
	"metadata" jsonb,
	"idempotency_key" text,
	"idempotency_key_expires_at" timestamp with time zone,
	"concurrency_key" text,
	"queue" text,
	"tags" text[] DEFAULT '{}'::text[] NOT NULL,
	"parent_run_id" text,
	"batch_id" text,
	"batch_index" integer,
	"run_at" timestamp with time zone DEFAULT now() NOT NULL,
	"lease_owner" text,
	"lease_until" timestamp with time zone,
	"started_at" timestamp with time zone,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "task_runs_status_ck" CHECK ("task_runs"."status" in ('queued', 'running', 'completed', 'failed', 'interrupted'))
);
--> statement-breakpoint
CREATE UNIQUE INDEX "task_runs_idempotency_uq" ON "task_runs" USING btree ("task_id","idempotency_key") WHERE "task_runs"."idempotency_key" is not null and "task_runs"."status" <> 'failed';--> statement-breakpoint
CREATE UNIQUE INDEX "task_runs_batch_item_uq" ON "task_runs" USING btree ("batch_id","batch_index");--> statement-breakpoint
CREATE INDEX "task_runs_due_idx" ON "task_runs" USING btree ("run_at") WHERE "task_runs"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "task_runs_task_status_idx" ON "task_runs" USING btree ("task_id","status","created_at");