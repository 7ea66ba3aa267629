CREATE TABLE "platform_credential_checks" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"provider" text NOT NULL,
	"outcome" text NOT NULL,
	"latency_ms" integer,
	"http_status" integer,
	"error_class" text,
	"error" text,
	"checked_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_credential_checks_outcome_ck" CHECK ("platform_credential_checks"."outcome" in ('ok', 'degraded', 'failing'))
);
--> statement-breakpoint
CREATE TABLE "platform_credential_health" (
	"provider" text PRIMARY KEY NOT NULL,
	"health_state" text DEFAULT 'unknown' NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_checked_at" timestamp with time zone,
	"last_latency_ms" integer,
	"last_http_status" integer,
	"last_error" text,
	"last_error_class" text,
	"failing_since" timestamp with time zone,
	"state_changed_at" timestamp with time zone,
	"window_started_at" timestamp with time zone,
	"window_checks" integer DEFAULT 0 NOT NULL,
	"window_failures" integer DEFAULT 0 NOT NULL,
	"notified_state" text DEFAULT 'ok' NOT NULL,
	"incident_id" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "platform_credential_health_state_ck" CHECK ("platform_credential_health"."health_state" in ('unknown', 'ok', 'degraded', 'failing')),
	CONSTRAINT "platform_credential_health_notified_ck" CHECK ("platform_credential_health"."notified_state" in ('ok', 'failing'))
);
--> statement-breakpoint
CREATE INDEX "platform_credential_checks_provider_idx" ON "platform_credential_checks" USING btree ("provider","checked_at");--> statement-breakpoint
CREATE INDEX "platform_credential_checks_checked_at_idx" ON "platform_credential_checks" USING btree ("checked_at");--> statement-breakpoint
REVOKE ALL ON platform_credential_health, platform_credential_checks FROM app_user;
