import { sql } from "drizzle-orm";
import {
  bigint,
  check,
  customType,
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
    healthFailures: integer("health_failures").notNull().default(0),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    ...timestamps,
  },
  (t) => [
    uniqueIndex("integration_connections_tenant_provider_uq").on(t.tenantId, t.provider),
    index("integration_connections_key_version_idx").on(t.keyVersion),
    index("integration_connections_expiry_idx").on(t.tokenExpiresAt).where(sql`${t.status} = 'active'`),
    index("integration_connections_refresh_due_idx")
      .on(t.refreshDueAt)
      .where(sql`${t.status} in ('active', 'error')`),
    check(
      "integration_connections_status_ck",
      sql`${t.status} in ('active', 'expired', 'error', 'disconnected')`,
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
    connectionId: uuid("connection_id").references(() => integrationConnections.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.provider, t.accountId] }),
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
    connectionId: uuid("connection_id")
      .notNull()
      .references(() => integrationConnections.id, { onDelete: "cascade" }),
    fromStatus: text("from_status").notNull(),
    toStatus: text("to_status").notNull(),
    reason: text("reason"),
    notifiedAt: timestamp("notified_at", { withTimezone: true }),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index("connection_transitions_connection_idx").on(t.connectionId, t.createdAt),
    index("connection_transitions_unnotified_idx").on(t.createdAt).where(sql`${t.notifiedAt} is null`),
    tenantPolicy("connection_transitions_isolation", "tenant_id"),
  ],
).enableRLS();

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
