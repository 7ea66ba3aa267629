CREATE TABLE "connection_health_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"connection_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"outcome" text NOT NULL,
	"latency_ms" integer,
	"http_status" integer,
	"error_class" text,
	"error" text,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "connection_health_checks_outcome_ck" CHECK ("connection_health_checks"."outcome" in ('ok', 'degraded', 'failing'))
);
--> statement-breakpoint
ALTER TABLE "connection_health_checks" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "connection_transitions" ADD COLUMN "kind" text DEFAULT 'status' NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "health_state" text DEFAULT 'unknown' NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "last_checked_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "last_latency_ms" integer;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "health_error_class" text;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "health_window_started_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "health_window_checks" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "integration_connections" ADD COLUMN "health_window_failures" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "connection_health_checks" ADD CONSTRAINT "connection_health_checks_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "connection_health_checks" ADD CONSTRAINT "connection_health_checks_connection_id_integration_connections_id_fk" FOREIGN KEY ("connection_id") REFERENCES "public"."integration_connections"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "connection_health_checks_connection_idx" ON "connection_health_checks" USING btree ("connection_id","checked_at");--> statement-breakpoint
CREATE INDEX "connection_health_checks_checked_at_idx" ON "connection_health_checks" USING btree ("checked_at");--> statement-breakpoint
CREATE INDEX "integration_connections_health_due_idx" ON "integration_connections" USING btree ("last_checked_at") WHERE "integration_connections"."status" in ('active', 'error');--> statement-breakpoint
ALTER TABLE "integration_connections" ADD CONSTRAINT "integration_connections_health_state_ck" CHECK ("integration_connections"."health_state" in ('unknown', 'ok', 'degraded', 'failing'));--> statement-breakpoint
CREATE POLICY "connection_health_checks_isolation" ON "connection_health_checks" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);