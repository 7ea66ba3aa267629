/** How a tenant's integration authenticates. */
export type AuthKind = "oauth2" | "api_key" | "client_credentials" | "platform";

/** Whose credentials are used: each tenant's, the platform's, or the platform's unless a tenant sets its own. */
export type CredentialScope = "tenant" | "platform" | "platform_or_tenant";

/**
 * How access stays valid:
 * - `refresh_token`: standard refresh grant, the refresh token is reused;
 * - `rotating_refresh_token`: each refresh returns a new refresh token and invalidates the old one;
 * - `long_lived_exchange`: no refresh token; a still-valid token is exchanged for a new long-lived one (Meta);
 * - `client_credentials`: a fresh token is minted from the client id and secret;
 * - `never_expires`: tokens or keys stay valid until revoked.
 */
export type RefreshKind =
  | "refresh_token"
  | "rotating_refresh_token"
  | "long_lived_exchange"
  | "client_credentials"
  | "never_expires";

/** Token endpoint dialects that differ from RFC 6749 in request or response shape. */
export type TokenDialect = "standard" | "slack" | "meta" | "tiktok_business";

export interface OAuthSpec {
  authorizeUrl: string;
  tokenUrl: string;
  revokeUrl?: string;
  scopes: string[];
  scopeSeparator?: " " | ",";
  /** PKCE S256 is sent when the provider supports it. */
  pkce: boolean;
  /** Client authentication at the token endpoint. */
  clientAuth: "basic" | "body";
  /** How to revoke on disconnect: RFC 7009 `token` form (default), or a bearer call (Slack). */
  revokeStyle?: "token_form" | "bearer";
  /** Extra authorization parameters (Google's `access_type=offline`). */
  authorizeParams?: Record<string, string>;
  /** The query parameter carrying the client id when it is not `client_id` (TikTok's `app_id`). */
  clientIdParam?: string;
  dialect?: TokenDialect;
}

export type ProbeAuth =
  | { scheme: "bearer" }
  | { scheme: "header"; name: string; prefix?: string }
  | { scheme: "basic"; usernameField?: string; passwordField?: string }
  | { scheme: "none" };

/** The cheapest authenticated call that proves a credential works (key validation, health). */
export interface ProbeSpec {
  method: "GET" | "POST";
  /** Path appended to the API base (`<ID>_API_URL` or `apiBaseUrl`). */
  path: string;
  auth: ProbeAuth;
  headers?: Record<string, string>;
  /** A literal body (JSON, or form when `form` is set). */
  body?: Record<string, unknown>;
  /** Body fields copied from the credential fields: body key → credential field. */
  bodyFields?: Record<string, string>;
  form?: boolean;
  /** Probe calls consume a scarce quota: validate on connect, probe health rarely. */
  scarce?: boolean;
}

/**
 * The client-credentials token request (`authKind: "client_credentials"`): how a token is minted
 * from the key fields. Separate from the probe, which proves a credential works.
 */
export interface TokenRequestSpec {
  method: "POST";
  /** Path appended to the API base (`<ID>_API_URL` or `apiBaseUrl`). */
  path: string;
  auth: ProbeAuth;
  headers?: Record<string, string>;
  body?: Record<string, unknown>;
  bodyFields?: Record<string, string>;
  form?: boolean;
}

/** How sure we are of an entry's endpoints: read in the provider's docs, or only in third-party sources. */
export type Confidence = "provider_docs" | "community" | "unverified";

export interface CatalogEntry {
  /** Lower snake case; its upper snake case prefixes the environment variables. */
  id: string;
  name: string;
  category:
    | "commerce"
    | "payments"
    | "email"
    | "ads"
    | "analytics"
    | "messaging"
    | "voice"
    | "media"
    | "productivity"
    | "surveys"
    | "mail"
    | "monitoring"
    | "documents";
  authKind: AuthKind;
  credentialScope: CredentialScope;
  apiBaseUrl: string;
  oauth?: OAuthSpec;
  refresh: RefreshKind;
  /** Refresh this long before expiry (default one hour; long-lived tokens much earlier). */
  refreshLeadSeconds?: number;
  /** Refresh tokens that die when unused: refresh at least this often. */
  keepAliveDays?: number;
  /**
   * Calls a sweep may have in flight to this provider at once, across all tenants (default 25,
   * see `providerConcurrencyLimit`; `<ID>_CONCURRENCY_LIMIT` overrides it per environment).
   */
  concurrencyLimit?: number;
  probe?: ProbeSpec;
  /** Client-credentials providers: the token request (the probe mints a token through it too). */
  tokenRequest?: TokenRequestSpec;
  /** The token-answer field naming the provider account (mapped to the tenant for inbound events). */
  accountIdField?: string;
  /** Credential fields a tenant supplies for API-key connections (default `["api_key"]`). */
  keyFields?: string[];
  /** Further fields a tenant may supply, stored encrypted with the key (Lob's `webhook_secret`). */
  optionalKeyFields?: string[];
  docs: string;
  confidence: Confidence;
  notes?: string;
}
