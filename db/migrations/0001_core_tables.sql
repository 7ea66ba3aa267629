CREATE TABLE "integration_connections" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"credentials" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"key_version" text,
	"token_version" integer DEFAULT 0 NOT NULL,
	"token_expires_at" timestamp with time zone,
	"last_error" text,
	"last_error_at" timestamp with time zone,
	"last_sync_at" timestamp with time zone,
	"last_refreshed_at" timestamp with time zone,
	"refresh_failures" integer DEFAULT 0 NOT NULL,
	"health_failures" integer DEFAULT 0 NOT NULL,
	"metadata" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "integration_connections_status_ck" CHECK ("integration_connections"."status" in ('active', 'expired', 'error', 'disconnected'))
);
--> statement-breakpoint
ALTER TABLE "integration_connections" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
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
CREATE TABLE "tenants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "tenants" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "webhook_events" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"dedupe_key" text NOT NULL,
	"tenant_id" uuid,
	"type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"status" text DEFAULT 'received' NOT NULL,
	"error" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"received_at" timestamp with time zone DEFAULT now() NOT NULL,
	"processed_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "webhook_events" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "webhook_events" ADD CONSTRAINT "webhook_events_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "integration_connections_tenant_provider_uq" ON "integration_connections" USING btree ("tenant_id","provider");--> statement-breakpoint
CREATE INDEX "integration_connections_key_version_idx" ON "integration_connections" USING btree ("key_version");--> statement-breakpoint
CREATE INDEX "integration_connections_expiry_idx" ON "integration_connections" USING btree ("token_expires_at") WHERE "integration_connections"."status" = 'active';--> statement-breakpoint
CREATE UNIQUE INDEX "task_runs_idempotency_uq" ON "task_runs" USING btree ("task_id","idempotency_key") WHERE "task_runs"."idempotency_key" is not null and "task_runs"."status" <> 'failed';--> statement-breakpoint
CREATE UNIQUE INDEX "task_runs_batch_item_uq" ON "task_runs" USING btree ("batch_id","batch_index");--> statement-breakpoint
CREATE INDEX "task_runs_due_idx" ON "task_runs" USING btree ("run_at") WHERE "task_runs"."status" = 'queued';--> statement-breakpoint
CREATE INDEX "task_runs_task_status_idx" ON "task_runs" USING btree ("task_id","status","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "webhook_events_provider_dedupe_uq" ON "webhook_events" USING btree ("provider","dedupe_key");--> statement-breakpoint
CREATE INDEX "webhook_events_status_idx" ON "webhook_events" USING btree ("provider","status","received_at");--> statement-breakpoint
CREATE POLICY "integration_connections_isolation" ON "integration_connections" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "tenants_isolation" ON "tenants" AS PERMISSIVE FOR ALL TO "app_user" USING ("id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "webhook_events_isolation" ON "webhook_events" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);