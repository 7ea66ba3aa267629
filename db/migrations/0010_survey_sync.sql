CREATE TABLE "survey_questions" (
	"tenant_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"question_id" text NOT NULL,
	"prompt" text NOT NULL,
	"type" text,
	"raw" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_questions_tenant_id_provider_question_id_pk" PRIMARY KEY("tenant_id","provider","question_id")
);
--> statement-breakpoint
ALTER TABLE "survey_questions" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "survey_responses" (
	"tenant_id" uuid NOT NULL,
	"provider" text NOT NULL,
	"response_id" text NOT NULL,
	"question_id" text,
	"question" text,
	"answer" text,
	"other_text" text,
	"order_id" text,
	"order_number" text,
	"order_total_minor" bigint,
	"order_currency" text,
	"customer_id" text,
	"email" text,
	"utm_source" text,
	"utm_medium" text,
	"utm_campaign" text,
	"utm_content" text,
	"utm_term" text,
	"referrer" text,
	"landing_page" text,
	"source_inserted_at" timestamp with time zone NOT NULL,
	"source_updated_at" timestamp with time zone NOT NULL,
	"raw" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "survey_responses_tenant_id_provider_response_id_pk" PRIMARY KEY("tenant_id","provider","response_id")
);
--> statement-breakpoint
ALTER TABLE "survey_responses" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "sync_cursors" (
	"tenant_id" uuid NOT NULL,
	"source" text NOT NULL,
	"cursor" timestamp with time zone,
	"pass_from" timestamp with time zone,
	"pass_started_at" timestamp with time zone,
	"resume_url" text,
	"pass_max_updated_at" timestamp with time zone,
	"pass_pages" integer DEFAULT 0 NOT NULL,
	"pass_rows" integer DEFAULT 0 NOT NULL,
	"last_run_at" timestamp with time zone,
	"last_success_at" timestamp with time zone,
	"last_error" text,
	"last_run_rows" integer DEFAULT 0 NOT NULL,
	"rows_inserted" bigint DEFAULT 0 NOT NULL,
	"rows_updated" bigint DEFAULT 0 NOT NULL,
	"pages_fetched" bigint DEFAULT 0 NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "sync_cursors_tenant_id_source_pk" PRIMARY KEY("tenant_id","source")
);
--> statement-breakpoint
ALTER TABLE "sync_cursors" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "survey_questions" ADD CONSTRAINT "survey_questions_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "survey_responses" ADD CONSTRAINT "survey_responses_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "sync_cursors" ADD CONSTRAINT "sync_cursors_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "survey_responses_question_idx" ON "survey_responses" USING btree ("tenant_id","question_id","source_inserted_at");--> statement-breakpoint
CREATE POLICY "survey_questions_isolation" ON "survey_questions" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "survey_responses_isolation" ON "survey_responses" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "sync_cursors_isolation" ON "sync_cursors" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);