import { sql } from "drizzle-orm";
import {
  type AnyPgColumn,
  bigint,
  boolean,
  check,
  customType,
  foreignKey,
  index,
  integer,
  jsonb,
  pgPolicy,
  pgRole,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The application role every tenant transaction runs as (`SET LOCAL ROLE app_user`), so RLS
 * applies even when the connection's user owns the tables. Created by the custom migration
 * `0000_app_user_role.sql`.
 */
export const appUser = pgRole("app_user").existing();

const currentTenant = sql`nullif(current_setting('app.tenant_id', true), '')::uuid`;
const tenantPolicy = (name: string, column: string) =>
  pgPolicy(name, {
    as: "permissive",
    for: "all",
    to: appUser,
    using: sql`${sql.identifier(column)} = ${currentTenant}`,
    withCheck: sql`${sql.identifier(column)} = ${currentTenant}`,
  });

const timestamps = {
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
};

export const tenants = pgTable(
  "tenants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    name: text("name").notNull(),
    ...timestamps,
  },
  () => [tenantPolicy("tenants_isolation", "id")],
).enableRLS();

export const connectionStatuses = ["active", "expired", "error", "disconnected"] as const;
export type ConnectionStatus = (typeof connectionStatuses)[number];

/** A connection's operational health, from its probes: `unknown` until the first check. */
export const healthStates = ["unknown", "ok", "degraded", "failing"] as const;
export type HealthState = (typeof healthStates)[number];

export const integrationConnections = pgTable(
  "integration_connections",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    status: text("status").$type<ConnectionStatus>().notNull().default("active"),
    /** field name → ciphertext (`sb1.<version>.<iv>.<data>`), each bound to tenant:provider:field. */
    credentials: jsonb("credentials").$type<Record<string, string>>().notNull().default({}),
    keyVersion: text("key_version"),
    tokenVersion: integer("token_version").notNull().default(0),
    tokenExpiresAt: timestamp("token_expires_at", { withTimezone: true }),
    lastError: text("last_error"),
    lastErrorAt: timestamp("last_error_at", { withTimezone: true }),
    lastSyncAt: timestamp("last_sync_at", { withTimezone: true }),
    lastRefreshedAt: timestamp("last_refreshed_at", { withTimezone: true }),
    refreshFailures: integer("refresh_failures").notNull().default(0),
    /** When the sweep should refresh next: expiry minus lead, or the keep-alive date. */
    refreshDueAt: timestamp("refresh_due_at", { withTimezone: true }),
    refreshRequestedAt: timestamp("refresh_requested_at", { withTimezone: true }),
    refreshAttemptedAt: timestamp("refresh_attempted_at", { withTimezone: true }),
    /** The fence of a refresh in progress: only the lease owner may write its outcome. */
    refreshLeaseOwner: text("refresh_lease_owner"),
    refreshLeaseUntil: timestamp("refresh_lease_until", { withTimezone: true }),
    /** A provider answer recorded before it is applied (crash recovery for rotating tokens). */
    pendingCredentials: jsonb("pending_credentials").$type<Record<string, string>>(),
    pendingTokenExpiresAt: timestamp("pending_token_expires_at", { withTimezone: true }),
    failingSince: timestamp("failing_since", { withTimezone: true }),
    statusChangedAt: timestamp("status_changed_at", { withTimezone: true }),
    scopes: text("scopes").array().notNull().default(sql`'{}'::text[]`),
    /** Consecutive failed health probes (refresh failures are counted in `refresh_failures`). */
    healthFailures: integer("health_failures").notNull().default(0),
    healthState: text("health_state").$type<HealthState>().notNull().default("unknown"),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    lastLatencyMs: integer("last_latency_ms"),
    /** The class of the last failed probe: auth, permission, rate_limited, provider_down, config. */
    healthErrorClass: text("health_error_class"),
    /** Rolling one-hour window of probe outcomes (error rate = failures / checks). */
    healthWindowStartedAt: timestamp("health_window_started_at", { withTimezone: true }),
    healthWindowChecks: integer("health_window_checks").notNull().default(0),
    healthWindowFailures: integer("health_window_failures").notNull().default(0),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("integration_connections_tenant_provider_uq").on(t.tenantId, t.provider),
    // The target of (tenant_id, connection_id) foreign keys: a row can only point at a connection
    // of its own tenant (foreign-key checks ignore row-level security).
    uniqueIndex("integration_connections_tenant_id_uq").on(t.tenantId, t.id),
    index("integration_connections_key_version_idx").on(t.keyVersion),
    index("integration_connections_expiry_idx").on(t.tokenExpiresAt).where(sql`${t.status} = 'active'`),
    index("integration_connections_refresh_due_idx")
      .on(t.refreshDueAt)
      .where(sql`${t.status} in ('active', 'error')`),
    index("integration_connections_health_due_idx")
      .on(t.lastCheckedAt)
      .where(sql`${t.status} in ('active', 'error')`),
    check(
      "integration_connections_status_ck",
      sql`${t.status} in ('active', 'expired', 'error', 'disconnected')`,
    ),
    check(
      "integration_connections_health_state_ck",
      sql`${t.healthState} in ('unknown', 'ok', 'degraded', 'failing')`,
    ),
    tenantPolicy("integration_connections_isolation", "tenant_id"),
  ],
).enableRLS();

/** Pending OAuth authorizations: single-use, short-lived, holding the PKCE verifier (encrypted). */
export const oauthStates = pgTable(
  "oauth_states",
  {
    nonce: text("nonce").primaryKey(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    codeVerifier: text("code_verifier"),
    redirectUri: text("redirect_uri").notNull(),
    returnUrl: text("return_url"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    usedAt: timestamp("used_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("oauth_states_expires_idx").on(t.expiresAt),
    tenantPolicy("oauth_states_isolation", "tenant_id"),
  ],
).enableRLS();

/** `(tenant_id, connection_id)` → the connection of the same tenant, deleted with it. */
const sameTenantConnection = (name: string, t: { tenantId: AnyPgColumn; connectionId: AnyPgColumn }) =>
  foreignKey({
    name,
    columns: [t.tenantId, t.connectionId],
    foreignColumns: [integrationConnections.tenantId, integrationConnections.id],
  }).onDelete("cascade");

/**
 * Provider-side account ids that identify a tenant in inbound events (Stripe Connect `acct_…`).
 * A separate table so the lookup index never slows the hot connections table.
 */
export const externalAccounts = pgTable(
  "external_accounts",
  {
    provider: text("provider").notNull(),
    accountId: text("account_id").notNull(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.accountId] }),
    sameTenantConnection("external_accounts_connection_fk", t),
    tenantPolicy("external_accounts_isolation", "tenant_id"),
  ],
).enableRLS();

/** Every status change of a connection, and whether its owner was told. */
export const connectionTransitions = pgTable(
  "connection_transitions",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull(),
    /** `status` (active, expired, error, disconnected) or `health` (unknown, ok, degraded, failing). */
    kind: text("kind").$type<"status" | "health">().notNull().default("status"),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    reason: text("reason"),
    notifiedAt: timestamp("notified_at", { withTimezone: true }),
    /** The Better Stack incident opened for this transition (resolved by the recovery). */
    incidentId: text("incident_id"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    sameTenantConnection("connection_transitions_connection_fk", t),
    index("connection_transitions_connection_idx").on(t.connectionId, t.createdAt),
    index("connection_transitions_unnotified_idx").on(t.createdAt).where(sql`${t.notifiedAt} is null`),
    tenantPolicy("connection_transitions_isolation", "tenant_id"),
  ],
).enableRLS();

/** One health probe of one connection (pruned after HEALTH_RETENTION_DAYS, default 30). */
export const connectionHealthChecks = pgTable(
  "connection_health_checks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    connectionId: uuid("connection_id").notNull(),
    provider: text("provider").notNull(),
    /** ok, degraded (slow) or failing. */
    outcome: text("outcome").notNull(),
    latencyMs: integer("latency_ms"),
    httpStatus: integer("http_status"),
    errorClass: text("error_class"),
    error: text("error"),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    sameTenantConnection("connection_health_checks_connection_fk", t),
    index("connection_health_checks_connection_idx").on(t.connectionId, t.checkedAt),
    index("connection_health_checks_checked_at_idx").on(t.checkedAt),
    check("connection_health_checks_outcome_ck", sql`${t.outcome} in ('ok', 'degraded', 'failing')`),
    tenantPolicy("connection_health_checks_isolation", "tenant_id"),
  ],
).enableRLS();

/**
 * Provider-wide alert state (not tenant-owned): one outage of a provider, seen by many tenants'
 * probes, is one alert and one recovery notice, not one per connection.
 */
export const providerAlerts = pgTable("provider_alerts", {
  provider: text("provider").primaryKey(),
  /** ok or failing. */
  state: text("state").notNull(),
  reason: text("reason"),
  incidentId: text("incident_id"),
  changedAt: timestamp("changed_at", { withTimezone: true }).notNull().defaultNow(),
});

/**
 * Health of the platform's own credentials (STRIPE_API_KEY, PLAID_*, PAYPAL_*, a platform
 * ElevenLabs key…), which have no connection row: one row per provider, probed by every health
 * sweep and judged by the same rules as a connection's health. Not tenant data: written by the
 * sweep as the owner; `app_user` holds no privilege on it.
 */
export const platformCredentialHealth = pgTable(
  "platform_credential_health",
  {
    provider: text("provider").primaryKey(),
    /** unknown, ok, degraded or failing. */
    healthState: text("health_state").$type<HealthState>().notNull().default("unknown"),
    consecutiveFailures: integer("consecutive_failures").notNull().default(0),
    lastCheckedAt: timestamp("last_checked_at", { withTimezone: true }),
    lastLatencyMs: integer("last_latency_ms"),
    lastHttpStatus: integer("last_http_status"),
    lastError: text("last_error"),
    lastErrorClass: text("last_error_class"),
    failingSince: timestamp("failing_since", { withTimezone: true }),
    stateChangedAt: timestamp("state_changed_at", { withTimezone: true }),
    /** Rolling one-hour window of probe outcomes (error rate = failures / checks). */
    windowStartedAt: timestamp("window_started_at", { withTimezone: true }),
    windowChecks: integer("window_checks").notNull().default(0),
    windowFailures: integer("window_failures").notNull().default(0),
    /** The alert level last told (ok or failing): one notice per change, retried until sent. */
    notifiedState: text("notified_state").notNull().default("ok"),
    /** The Better Stack incident the failing notice opened (its recovery resolves it). */
    incidentId: text("incident_id"),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check(
      "platform_credential_health_state_ck",
      sql`${t.healthState} in ('unknown', 'ok', 'degraded', 'failing')`,
    ),
    check("platform_credential_health_notified_ck", sql`${t.notifiedState} in ('ok', 'failing')`),
  ],
);

/** One probe of one platform credential (pruned with connection checks after HEALTH_RETENTION_DAYS). */
export const platformCredentialChecks = pgTable(
  "platform_credential_checks",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    provider: text("provider").notNull(),
    /** ok, degraded (slow, or throttled) or failing. */
    outcome: text("outcome").notNull(),
    latencyMs: integer("latency_ms"),
    httpStatus: integer("http_status"),
    errorClass: text("error_class"),
    error: text("error"),
    checkedAt: timestamp("checked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("platform_credential_checks_provider_idx").on(t.provider, t.checkedAt),
    index("platform_credential_checks_checked_at_idx").on(t.checkedAt),
    check("platform_credential_checks_outcome_ck", sql`${t.outcome} in ('ok', 'degraded', 'failing')`),
  ],
);

/**
 * Client-credentials tokens minted with the platform's own credentials (PayPal), shared by every
 * process and runtime (tasks, web handlers). Not tenant-owned. The token is encrypted like any
 * credential; `credential_hash` (SHA-256 of the API base and client id) keeps a token from being
 * reused under other credentials or another environment.
 */
export const platformTokens = pgTable(
  "platform_tokens",
  {
    provider: text("provider").notNull(),
    credentialHash: text("credential_hash").notNull(),
    /** `sb1.<version>.<iv>.<data>`, bound to `platform:<provider>:access_token:<credential_hash>`. */
    accessToken: text("access_token").notNull(),
    keyVersion: text("key_version").notNull(),
    /** Bumped on every mint: an invalidation names the version it saw refused. */
    tokenVersion: integer("token_version").notNull().default(1),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.provider, t.credentialHash] })],
);

/**
 * The fingerprint of each encryption key version, stored with the data it protects: a known value
 * sealed under that version. Start-up checks that every version here that the ring holds still
 * opens its canary, so a regenerated development key (DATA_DIR deleted, database kept) fails
 * loudly before anything is encrypted under it, even when no credential row exists yet.
 */
export const keyCanaries = pgTable("key_canaries", {
  keyVersion: text("key_version").primaryKey(),
  /** `sb1.<version>.<iv>.<data>`, bound to `platform:key-canary:<version>`. */
  canary: text("canary").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
});

export const webhookEventStatuses = [
  "received",
  "processing",
  "processed",
  "unrouted",
  "failed",
  "malformed",
] as const;
export type WebhookEventStatus = (typeof webhookEventStatuses)[number];

/** Raw bytes (read back with `encode(column, 'hex')`, written with `decode($hex, 'hex')`). */
const bytea = customType<{ data: string }>({ dataType: () => "bytea" });

export const webhookEvents = pgTable(
  "webhook_events",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    provider: text("provider").notNull(),
    dedupeKey: text("dedupe_key").notNull(),
    tenantId: uuid("tenant_id").references(() => tenants.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    /** The verified body; null when jsonb cannot hold it (then `raw_body` has the exact bytes). */
    payload: jsonb("payload"),
    /** The exact bytes received, kept when `payload` cannot hold them (\u0000, lone surrogates, deep nesting, bad UTF-8). */
    rawBody: bytea("raw_body"),
    status: text("status").$type<WebhookEventStatus>().notNull().default("received"),
    /** Who is processing the event and until when (an exclusive, expiring claim). */
    leaseOwner: text("lease_owner"),
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    /** The capability that owns the event (payouts, bank-verification, mail, calls). */
    capability: text("capability"),
    error: text("error"),
    attempts: integer("attempts").notNull().default(0),
    receivedAt: timestamp("received_at", { withTimezone: true }).notNull().defaultNow(),
    processedAt: timestamp("processed_at", { withTimezone: true }),
  },
  (t) => [
    uniqueIndex("webhook_events_provider_dedupe_uq").on(t.provider, t.dedupeKey),
    check("webhook_events_body_ck", sql`${t.payload} is not null or ${t.rawBody} is not null`),
    check(
      "webhook_events_status_ck",
      sql`${t.status} in ('received', 'processing', 'processed', 'unrouted', 'failed', 'malformed')`,
    ),
    index("webhook_events_status_idx").on(t.provider, t.status, t.receivedAt),
    tenantPolicy("webhook_events_isolation", "tenant_id"),
  ],
).enableRLS();

/** Survey questions as the provider defines them (Fairing), per tenant. */
export const surveyQuestions = pgTable(
  "survey_questions",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    questionId: text("question_id").notNull(),
    prompt: text("prompt").notNull(),
    type: text("type"),
    raw: jsonb("raw").notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.provider, t.questionId] }),
    tenantPolicy("survey_questions_isolation", "tenant_id"),
  ],
).enableRLS();

/**
 * One answer to a post-purchase survey question (a Fairing response), unique per tenant and
 * provider response id. `source_updated_at` is the provider's edit time: a row is only ever
 * overwritten by a version at least as recent, and only when something changed.
 */
export const surveyResponses = pgTable(
  "survey_responses",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    provider: text("provider").notNull(),
    responseId: text("response_id").notNull(),
    questionId: text("question_id"),
    question: text("question"),
    answer: text("answer"),
    otherText: text("other_text"),
    orderId: text("order_id"),
    orderNumber: text("order_number"),
    /** Integer minor units of `order_currency`. */
    orderTotalMinor: bigint("order_total_minor", { mode: "number" }),
    orderCurrency: text("order_currency"),
    customerId: text("customer_id"),
    email: text("email"),
    utmSource: text("utm_source"),
    utmMedium: text("utm_medium"),
    utmCampaign: text("utm_campaign"),
    utmContent: text("utm_content"),
    utmTerm: text("utm_term"),
    referrer: text("referrer"),
    landingPage: text("landing_page"),
    sourceInsertedAt: timestamp("source_inserted_at", { withTimezone: true }).notNull(),
    sourceUpdatedAt: timestamp("source_updated_at", { withTimezone: true }).notNull(),
    raw: jsonb("raw").notNull(),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.provider, t.responseId] }),
    index("survey_responses_question_idx").on(t.tenantId, t.questionId, t.sourceInsertedAt),
    tenantPolicy("survey_responses_isolation", "tenant_id"),
  ],
).enableRLS();

/**
 * Where a tenant's incremental import from one source stands. `cursor` is the watermark (the
 * provider time every row before it is known to be stored); `resume_*` hold a pass in progress,
 * written in the same transaction as the rows of each page, so a crash resumes at the next page.
 */
export const syncCursors = pgTable(
  "sync_cursors",
  {
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    source: text("source").notNull(),
    cursor: timestamp("cursor", { withTimezone: true }),
    /** The pass in progress: its lower bound, start, next page and the latest edit seen so far. */
    passFrom: timestamp("pass_from", { withTimezone: true }),
    passStartedAt: timestamp("pass_started_at", { withTimezone: true }),
    resumeUrl: text("resume_url"),
    passMaxUpdatedAt: timestamp("pass_max_updated_at", { withTimezone: true }),
    passPages: integer("pass_pages").notNull().default(0),
    passRows: integer("pass_rows").notNull().default(0),
    lastRunAt: timestamp("last_run_at", { withTimezone: true }),
    lastSuccessAt: timestamp("last_success_at", { withTimezone: true }),
    lastError: text("last_error"),
    lastRunRows: integer("last_run_rows").notNull().default(0),
    rowsInserted: bigint("rows_inserted", { mode: "number" }).notNull().default(0),
    rowsUpdated: bigint("rows_updated", { mode: "number" }).notNull().default(0),
    pagesFetched: bigint("pages_fetched", { mode: "number" }).notNull().default(0),
    ...timestamps,
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.source] }),
    tenantPolicy("sync_cursors_isolation", "tenant_id"),
  ],
).enableRLS();

/* ------------------------------------------------------------------ payouts */

export const payoutRails = ["stripe_connect", "paypal"] as const;
export type PayoutRail = (typeof payoutRails)[number];

/** A tenant's payout policy: minimum balance paid, per-item ceiling, approval rule, platform fee. */
export const payoutSettings = pgTable(
  "payout_settings",
  {
    tenantId: uuid("tenant_id")
      .primaryKey()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** A payee is included once its available balance reaches this (minor units). */
    minimumMinor: bigint("minimum_minor", { mode: "number" }).notNull().default(1_000),
    /** No single item may exceed this; larger balances are held back and reported. */
    itemCeilingMinor: bigint("item_ceiling_minor", { mode: "number" }).notNull().default(1_000_000),
    /** Batches whose total exceeds this wait for approval; null: only `approval_always` decides. */
    approvalAboveMinor: bigint("approval_above_minor", { mode: "number" }),
    approvalAlways: boolean("approval_always").notNull().default(true),
    /** Platform fee in basis points withheld from each item (50-5000, i.e. 0.5%-50%), or none. */
    feeBps: integer("fee_bps"),
    ...timestamps,
  },
  (t) => [
    check("payout_settings_fee_ck", sql`${t.feeBps} is null or ${t.feeBps} between 50 and 5000`),
    check("payout_settings_amounts_ck", sql`${t.minimumMinor} > 0 and ${t.itemCeilingMinor} > 0`),
    tenantPolicy("payout_settings_isolation", "tenant_id"),
  ],
).enableRLS();

export const bankVerificationStates = ["unverified", "verified", "revoked"] as const;
export type BankVerification = (typeof bankVerificationStates)[number];

/** A creator or vendor a tenant pays, on one rail. Balances live in `ledger_entries` only. */
export const payees = pgTable(
  "payees",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    /** The app's own id for this payee (idempotent creation). */
    externalRef: text("external_ref").notNull(),
    name: text("name").notNull(),
    email: text("email"),
    /** ISO 3166-1 alpha-2. */
    country: text("country").notNull(),
    rail: text("rail").$type<PayoutRail>().notNull(),
    /** ISO 4217, lower case: the currency this payee is paid in. */
    currency: text("currency").notNull(),
    stripeAccountId: text("stripe_account_id"),
    /** The connected account's `payouts_enabled`, kept current by `account.updated`. */
    payoutsEnabled: boolean("payouts_enabled").notNull().default(false),
    paypalReceiver: text("paypal_receiver"),
    bankVerification: text("bank_verification").$type<BankVerification>().notNull().default("unverified"),
    bankVerifiedAt: timestamp("bank_verified_at", { withTimezone: true }),
    bankVerificationNote: text("bank_verification_note"),
    /** What a 1099 mailing needs later: legal name, TIN type and last four, postal address. */
    taxInfo: jsonb("tax_info").$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("payees_tenant_ref_uq").on(t.tenantId, t.externalRef),
    index("payees_stripe_account_idx").on(t.stripeAccountId),
    check("payees_rail_ck", sql`${t.rail} in ('stripe_connect', 'paypal')`),
    check("payees_bank_ck", sql`${t.bankVerification} in ('unverified', 'verified', 'revoked')`),
    tenantPolicy("payees_isolation", "tenant_id"),
  ],
).enableRLS();

/**
 * A payee's Plaid Item: the access token belongs to the payee, not to the tenant's one
 * connection per provider. Encrypted like connection credentials, bound to
 * `tenantId:plaid:payee:<payeeId>:access_token`.
 */
export const payeeBankLinks = pgTable(
  "payee_bank_links",
  {
    payeeId: uuid("payee_id")
      .primaryKey()
      .references(() => payees.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    plaidItemId: text("plaid_item_id").notNull(),
    accessToken: text("access_token").notNull(),
    keyVersion: text("key_version").notNull(),
    accountId: text("account_id"),
    /** The Stripe external account the processor token became, when attached. */
    externalAccountId: text("external_account_id"),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("payee_bank_links_item_uq").on(t.plaidItemId),
    tenantPolicy("payee_bank_links_isolation", "tenant_id"),
  ],
).enableRLS();

export const ledgerKinds = ["earning", "adjustment", "reservation", "release", "return"] as const;
export type LedgerKind = (typeof ledgerKinds)[number];

/**
 * Append-only money movements per payee, integer minor units (signed). Earnings and adjustments
 * come from app code with its idempotency key; `reservation` (negative, when an item is put in a
 * batch), `release` (the item failed before money moved) and `return` (money came back after a
 * payout) are written by the payouts capability with keys derived from the item id. A payee's
 * available balance is the sum of its entries.
 */
export const ledgerEntries = pgTable(
  "ledger_entries",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    payeeId: uuid("payee_id")
      .notNull()
      .references(() => payees.id, { onDelete: "cascade" }),
    kind: text("kind").$type<LedgerKind>().notNull(),
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    itemId: uuid("item_id"),
    memo: text("memo"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("ledger_entries_tenant_key_uq").on(t.tenantId, t.idempotencyKey),
    index("ledger_entries_payee_idx").on(t.tenantId, t.payeeId, t.currency),
    index("ledger_entries_item_idx").on(t.itemId),
    check("ledger_entries_amount_ck", sql`${t.amountMinor} <> 0`),
    check(
      "ledger_entries_kind_ck",
      sql`${t.kind} in ('earning', 'adjustment', 'reservation', 'release', 'return')`,
    ),
    tenantPolicy("ledger_entries_isolation", "tenant_id"),
  ],
).enableRLS();

export const batchStatuses = [
  "draft",
  "awaiting_approval",
  "approved",
  "processing",
  "completed",
  "partially_failed",
  "failed",
  "cancelled",
] as const;
export type BatchStatus = (typeof batchStatuses)[number];

/** One payout run of one tenant in one currency. At most one is open per tenant and currency. */
export const payoutBatches = pgTable(
  "payout_batches",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    currency: text("currency").notNull(),
    status: text("status").$type<BatchStatus>().notNull().default("draft"),
    totalMinor: bigint("total_minor", { mode: "number" }).notNull(),
    itemCount: integer("item_count").notNull(),
    requiresApproval: boolean("requires_approval").notNull(),
    /** PayPal's batch id for this batch's PayPal items (sender_batch_id is our id). */
    paypalBatchId: text("paypal_batch_id"),
    completedAt: timestamp("completed_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("payout_batches_open_uq")
      .on(t.tenantId, t.currency)
      .where(sql`${t.status} in ('draft', 'awaiting_approval', 'approved', 'processing')`),
    check(
      "payout_batches_status_ck",
      sql`${t.status} in ('draft', 'awaiting_approval', 'approved', 'processing', 'completed', 'partially_failed', 'failed', 'cancelled')`,
    ),
    tenantPolicy("payout_batches_isolation", "tenant_id"),
  ],
).enableRLS();

/** The one decision on a batch (approved or rejected), who made it and when. */
export const payoutApprovals = pgTable(
  "payout_approvals",
  {
    batchId: uuid("batch_id")
      .primaryKey()
      .references(() => payoutBatches.id, { onDelete: "cascade" }),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    decision: text("decision").$type<"approved" | "rejected">().notNull(),
    actor: text("actor").notNull(),
    note: text("note"),
    decidedAt: timestamp("decided_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    check("payout_approvals_decision_ck", sql`${t.decision} in ('approved', 'rejected')`),
    tenantPolicy("payout_approvals_isolation", "tenant_id"),
  ],
).enableRLS();

export const itemStatuses = [
  "pending",
  "submitted",
  "paid",
  "unclaimed",
  "failed",
  "returned",
  "cancelled",
  "needs_review",
] as const;
export type ItemStatus = (typeof itemStatuses)[number];

/** One payee's payment in a batch: gross reserved, fee withheld, net sent. */
export const payoutItems = pgTable(
  "payout_items",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: uuid("tenant_id")
      .notNull()
      .references(() => tenants.id, { onDelete: "cascade" }),
    batchId: uuid("batch_id")
      .notNull()
      .references(() => payoutBatches.id, { onDelete: "cascade" }),
    payeeId: uuid("payee_id")
      .notNull()
      .references(() => payees.id, { onDelete: "cascade" }),
    rail: text("rail").$type<PayoutRail>().notNull(),
    /** Gross amount reserved from the payee's balance. */
    amountMinor: bigint("amount_minor", { mode: "number" }).notNull(),
    feeMinor: bigint("fee_minor", { mode: "number" }).notNull().default(0),
    netMinor: bigint("net_minor", { mode: "number" }).notNull(),
    currency: text("currency").notNull(),
    /** Where the money goes (`acct_…` or PayPal receiver), fixed at preparation so retries send the same request. */
    destination: text("destination").notNull(),
    status: text("status").$type<ItemStatus>().notNull().default("pending"),
    /** Stripe transfer id, or PayPal payout item id. */
    providerRef: text("provider_ref"),
    providerStatus: text("provider_status"),
    submittedAt: timestamp("submitted_at", { withTimezone: true }),
    failureCode: text("failure_code"),
    failureMessage: text("failure_message"),
    attempts: integer("attempts").notNull().default(0),
    settledAt: timestamp("settled_at", { withTimezone: true }),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("payout_items_batch_payee_uq").on(t.batchId, t.payeeId),
    index("payout_items_provider_ref_idx").on(t.providerRef),
    check("payout_items_amounts_ck", sql`${t.amountMinor} > 0 and ${t.netMinor} > 0 and ${t.feeMinor} >= 0`),
    check(
      "payout_items_status_ck",
      sql`${t.status} in ('pending', 'submitted', 'paid', 'unclaimed', 'failed', 'returned', 'cancelled', 'needs_review')`,
    ),
    tenantPolicy("payout_items_isolation", "tenant_id"),
  ],
).enableRLS();
