CREATE TABLE "ledger_entries" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"payee_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"idempotency_key" text NOT NULL,
	"item_id" uuid,
	"memo" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "ledger_entries_amount_ck" CHECK ("ledger_entries"."amount_minor" <> 0),
	CONSTRAINT "ledger_entries_kind_ck" CHECK ("ledger_entries"."kind" in ('earning', 'adjustment', 'reservation', 'release', 'return'))
);
--> statement-breakpoint
ALTER TABLE "ledger_entries" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "payee_bank_links" (
	"payee_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"plaid_item_id" text NOT NULL,
	"access_token" text NOT NULL,
	"key_version" text NOT NULL,
	"account_id" text,
	"external_account_id" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "payee_bank_links" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "payees" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"external_ref" text NOT NULL,
	"name" text NOT NULL,
	"email" text,
	"country" text NOT NULL,
	"rail" text NOT NULL,
	"currency" text NOT NULL,
	"stripe_account_id" text,
	"payouts_enabled" boolean DEFAULT false NOT NULL,
	"paypal_receiver" text,
	"bank_verification" text DEFAULT 'unverified' NOT NULL,
	"bank_verified_at" timestamp with time zone,
	"bank_verification_note" text,
	"tax_info" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payees_rail_ck" CHECK ("payees"."rail" in ('stripe_connect', 'paypal')),
	CONSTRAINT "payees_bank_ck" CHECK ("payees"."bank_verification" in ('unverified', 'verified', 'revoked'))
);
--> statement-breakpoint
ALTER TABLE "payees" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "payout_approvals" (
	"batch_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" uuid NOT NULL,
	"decision" text NOT NULL,
	"actor" text NOT NULL,
	"note" text,
	"decided_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_approvals_decision_ck" CHECK ("payout_approvals"."decision" in ('approved', 'rejected'))
);
--> statement-breakpoint
ALTER TABLE "payout_approvals" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "payout_batches" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'draft' NOT NULL,
	"total_minor" bigint NOT NULL,
	"item_count" integer NOT NULL,
	"requires_approval" boolean NOT NULL,
	"paypal_batch_id" text,
	"completed_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_batches_status_ck" CHECK ("payout_batches"."status" in ('draft', 'awaiting_approval', 'approved', 'processing', 'completed', 'partially_failed', 'failed', 'cancelled'))
);
--> statement-breakpoint
ALTER TABLE "payout_batches" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "payout_items" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" uuid NOT NULL,
	"batch_id" uuid NOT NULL,
	"payee_id" uuid NOT NULL,
	"rail" text NOT NULL,
	"amount_minor" bigint NOT NULL,
	"fee_minor" bigint DEFAULT 0 NOT NULL,
	"net_minor" bigint NOT NULL,
	"currency" text NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"provider_ref" text,
	"provider_status" text,
	"failure_code" text,
	"failure_message" text,
	"attempts" integer DEFAULT 0 NOT NULL,
	"settled_at" timestamp with time zone,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_items_amounts_ck" CHECK ("payout_items"."amount_minor" > 0 and "payout_items"."net_minor" > 0 and "payout_items"."fee_minor" >= 0),
	CONSTRAINT "payout_items_status_ck" CHECK ("payout_items"."status" in ('pending', 'submitted', 'paid', 'unclaimed', 'failed', 'returned', 'cancelled', 'needs_review'))
);
--> statement-breakpoint
ALTER TABLE "payout_items" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
CREATE TABLE "payout_settings" (
	"tenant_id" uuid PRIMARY KEY NOT NULL,
	"minimum_minor" bigint DEFAULT 1000 NOT NULL,
	"item_ceiling_minor" bigint DEFAULT 1000000 NOT NULL,
	"approval_above_minor" bigint,
	"approval_always" boolean DEFAULT true NOT NULL,
	"fee_bps" integer,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "payout_settings_fee_ck" CHECK ("payout_settings"."fee_bps" is null or "payout_settings"."fee_bps" between 50 and 5000),
	CONSTRAINT "payout_settings_amounts_ck" CHECK ("payout_settings"."minimum_minor" > 0 and "payout_settings"."item_ceiling_minor" > 0)
);
--> statement-breakpoint
ALTER TABLE "payout_settings" ENABLE ROW LEVEL SECURITY;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "ledger_entries" ADD CONSTRAINT "ledger_entries_payee_id_payees_id_fk" FOREIGN KEY ("payee_id") REFERENCES "public"."payees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payee_bank_links" ADD CONSTRAINT "payee_bank_links_payee_id_payees_id_fk" FOREIGN KEY ("payee_id") REFERENCES "public"."payees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payee_bank_links" ADD CONSTRAINT "payee_bank_links_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payees" ADD CONSTRAINT "payees_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_approvals" ADD CONSTRAINT "payout_approvals_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_approvals" ADD CONSTRAINT "payout_approvals_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_batches" ADD CONSTRAINT "payout_batches_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_batch_id_payout_batches_id_fk" FOREIGN KEY ("batch_id") REFERENCES "public"."payout_batches"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_items" ADD CONSTRAINT "payout_items_payee_id_payees_id_fk" FOREIGN KEY ("payee_id") REFERENCES "public"."payees"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "payout_settings" ADD CONSTRAINT "payout_settings_tenant_id_tenants_id_fk" FOREIGN KEY ("tenant_id") REFERENCES "public"."tenants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "ledger_entries_tenant_key_uq" ON "ledger_entries" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "ledger_entries_payee_idx" ON "ledger_entries" USING btree ("tenant_id","payee_id","currency");--> statement-breakpoint
CREATE INDEX "ledger_entries_item_idx" ON "ledger_entries" USING btree ("item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payee_bank_links_item_uq" ON "payee_bank_links" USING btree ("plaid_item_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payees_tenant_ref_uq" ON "payees" USING btree ("tenant_id","external_ref");--> statement-breakpoint
CREATE INDEX "payees_stripe_account_idx" ON "payees" USING btree ("stripe_account_id");--> statement-breakpoint
CREATE UNIQUE INDEX "payout_batches_open_uq" ON "payout_batches" USING btree ("tenant_id","currency") WHERE "payout_batches"."status" in ('draft', 'awaiting_approval', 'approved', 'processing');--> statement-breakpoint
CREATE UNIQUE INDEX "payout_items_batch_payee_uq" ON "payout_items" USING btree ("batch_id","payee_id");--> statement-breakpoint
CREATE INDEX "payout_items_provider_ref_idx" ON "payout_items" USING btree ("provider_ref");--> statement-breakpoint
CREATE POLICY "ledger_entries_isolation" ON "ledger_entries" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "payee_bank_links_isolation" ON "payee_bank_links" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "payees_isolation" ON "payees" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "payout_approvals_isolation" ON "payout_approvals" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "payout_batches_isolation" ON "payout_batches" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "payout_items_isolation" ON "payout_items" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
CREATE POLICY "payout_settings_isolation" ON "payout_settings" AS PERMISSIVE FOR ALL TO "app_user" USING ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid) WITH CHECK ("tenant_id" = nullif(current_setting('app.tenant_id', true), '')::uuid);--> statement-breakpoint
-- The ledger is append-only: corrections are new entries, never edits. Deletes are refused to
-- app_user; rows go only with their tenant (cascade, by the owner).
CREATE FUNCTION ledger_entries_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'ledger_entries is append-only' USING ERRCODE = 'restrict_violation';
END
$$;
--> statement-breakpoint
CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries FOR EACH ROW EXECUTE FUNCTION ledger_entries_append_only();
--> statement-breakpoint
REVOKE UPDATE, DELETE ON ledger_entries FROM app_user;
