import { ConfigError, ProviderError } from "../errors.ts";
import { classifyOAuthError } from "./classify-oauth-error.ts";
import { tokenRequest } from "./probe-request.ts";
import { fillTemplate, type ProviderConfig } from "./provider-config.ts";
import type { ProviderHttpClient } from "./provider-http-client.ts";

/** What a token endpoint answered, normalised across dialects. Secrets stay in memory only. */
export interface TokenSet {
  accessToken: string;
  refreshToken?: string;
  expiresAt?: Date;
  scopes?: string[];
  /** Non-secret account facts from the answer (team, account, user ids) for connection metadata. */
  account: Record<string, string>;
  /** Other secrets in the answer worth keeping (Slack's incoming-webhook URL), stored encrypted. */
  extraSecrets: Record<string, string>;
}

const ACCOUNT_FIELDS = [
  "team",
  "enterprise",
  "authed_user",
  "bot_user_id",
  "app_id",
  "stripe_user_id",
  "open_id",
  "advertiser_ids",
];

function clientCredentials(config: ProviderConfig): { id: string; secret: string } {
  if (!config.clientId || !config.clientSecret) {
    const prefix = config.entry.id.toUpperCase();
    throw new ConfigError(
      `${prefix}_CLIENT_ID and ${prefix}_CLIENT_SECRET are required for ${config.entry.name}`,
    );
  }
  return { id: config.clientId, secret: config.clientSecret };
}

function accountFacts(body: Record<string, unknown>): Record<string, string> {
  const facts: Record<string, string> = {};
  for (const field of ACCOUNT_FIELDS) {
    const value = body[field];
    if (typeof value === "string") facts[field] = value;
    else if (value && typeof value === "object" && "id" in value && typeof value.id === "string")
      facts[field] = value.id;
  }
  return facts;
}

function extraSecrets(body: Record<string, unknown>): Record<string, string> {
  const hook = body.incoming_webhook as { url?: unknown } | undefined;
  return typeof hook?.url === "string" ? { incoming_webhook_url: hook.url } : {};
}

function normalise(config: ProviderConfig, raw: Record<string, unknown>): TokenSet {
  const body =
    config.entry.oauth?.dialect === "tiktok_business" ? ((raw.data as Record<string, unknown>) ?? {}) : raw;
  const accessToken = body.access_token;
  if (typeof accessToken !== "string" || !accessToken) {
    throw new ProviderError(
      config.entry.id,
      "invalid_token_response",
      "Token endpoint answered without an access_token",
      {
        retryable: false,
      },
    );
  }
  const expiresIn = Number(body.expires_in);
  const scope = typeof body.scope === "string" ? body.scope : undefined;
  return {
    accessToken,
    ...(typeof body.refresh_token === "string" && body.refresh_token
      ? { refreshToken: body.refresh_token }
      : {}),
    ...(Number.isFinite(expiresIn) && expiresIn > 0
      ? { expiresAt: new Date(Date.now() + expiresIn * 1000) }
      : {}),
    ...(scope ? { scopes: scope.split(/[ ,]+/).filter(Boolean) } : {}),
    account: accountFacts(body),
    extraSecrets: extraSecrets(body),
  };
}

async function call(
  http: ProviderHttpClient,
  config: ProviderConfig,
  operation: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string | URLSearchParams },
): Promise<TokenSet> {
  const dialect = config.entry.oauth?.dialect;
  const response = await http.request({
    provider: config.entry.id,
    operation,
    url,
    ...init,
    // Token endpoints speak OAuth errors (Slack and TikTok even with HTTP 200): classified by body.
    failure: (answer) => {
      const body = (answer.json ?? {
        error: "invalid_response",
        error_description: answer.text.slice(0, 200),
      }) as Record<string, unknown>;
      const slackFailure = dialect === "slack" && body.ok === false;
      const tiktokFailure = dialect === "tiktok_business" && Number(body.code ?? 0) !== 0;
      if (answer.ok && !slackFailure && !tiktokFailure) return undefined;
      return classifyOAuthError(config.entry.id, {
        status: answer.ok ? 400 : answer.status,
        body: tiktokFailure ? { error: "provider_error", error_description: body.message } : body,
        retryAfter: answer.headers.get("retry-after"),
      });
    },
  });
  return normalise(config, (response.json ?? {}) as Record<string, unknown>);
}

function tokenUrl(config: ProviderConfig, metadata: Record<string, unknown>): string {
  if (!config.tokenUrl) throw new ConfigError(`${config.entry.name} has no token endpoint`);
  return fillTemplate(config.tokenUrl, metadata);
}

/** POSTs a form grant with the provider's client authentication (Basic header or body fields). */
function formGrant(
  http: ProviderHttpClient,
  config: ProviderConfig,
  params: Record<string, string>,
  metadata: Record<string, unknown>,
  operation: string,
) {
  const client = clientCredentials(config);
  const form = new URLSearchParams(params);
  const headers: Record<string, string> = {
    "content-type": "application/x-www-form-urlencoded",
    accept: "application/json",
  };
  if (config.entry.oauth?.clientAuth === "basic") {
    headers.authorization = `Basic ${btoa(`${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`)}`;
  } else {
    form.set("client_id", client.id);
    form.set("client_secret", client.secret);
  }
  return call(http, config, operation, tokenUrl(config, metadata), { method: "POST", headers, body: form });
}

export async function exchangeAuthorizationCode(
  http: ProviderHttpClient,
  config: ProviderConfig,
  input: {
    code: string;
    redirectUri: string;
    codeVerifier?: string | undefined;
    metadata?: Record<string, unknown>;
  },
): Promise<TokenSet> {
  const metadata = input.metadata ?? {};
  const dialect = config.entry.oauth?.dialect;
  if (dialect === "tiktok_business") {
    const client = clientCredentials(config);
    return call(http, config, "oauth.exchange_code", tokenUrl(config, metadata), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ app_id: client.id, secret: client.secret, auth_code: input.code }),
    });
  }
  const tokens = await formGrant(
    http,
    config,
    {
      grant_type: "authorization_code",
      code: input.code,
      redirect_uri: input.redirectUri,
      ...(input.codeVerifier ? { code_verifier: input.codeVerifier } : {}),
    },
    metadata,
    "oauth.exchange_code",
  );
  // Meta returns a short-lived token: trade it for a long-lived one straight away.
  return dialect === "meta" ? exchangeLongLivedToken(http, config, tokens.accessToken, metadata) : tokens;
}

/** Meta: exchanges a valid user token for a long-lived (~60 days) one. */
export async function exchangeLongLivedToken(
  http: ProviderHttpClient,
  config: ProviderConfig,
  accessToken: string,
  metadata: Record<string, unknown> = {},
): Promise<TokenSet> {
  const client = clientCredentials(config);
  const url = new URL(tokenUrl(config, metadata));
  url.searchParams.set("grant_type", "fb_exchange_token");
  url.searchParams.set("client_id", client.id);
  url.searchParams.set("client_secret", client.secret);
  url.searchParams.set("fb_exchange_token", accessToken);
  return call(http, config, "oauth.exchange_long_lived", url.toString(), {
    method: "GET",
    headers: { accept: "application/json" },
  });
}

/**
 * Renews access per the provider's refresh kind, from the connection's decrypted credential fields
 * (`access_token`, `refresh_token`, or the key fields of client-credentials providers).
 */
export async function renewAccessToken(
  http: ProviderHttpClient,
  config: ProviderConfig,
  fields: Record<string, string>,
  metadata: Record<string, unknown> = {},
): Promise<TokenSet> {
  const current = { accessToken: fields.access_token, refreshToken: fields.refresh_token };
  switch (config.entry.refresh) {
    case "client_credentials": {
      const { url, init } = tokenRequest(config, fields, metadata);
      return call(http, config, "oauth.client_credentials", url, init);
    }
    case "long_lived_exchange":
      if (!current.accessToken)
        throw new ProviderError(config.entry.id, "invalid_grant", "No token to exchange", {
          reauthRequired: true,
        });
      return exchangeLongLivedToken(http, config, current.accessToken, metadata);
    case "refresh_token":
    case "rotating_refresh_token":
      if (!current.refreshToken) {
        throw new ProviderError(config.entry.id, "invalid_grant", "The connection has no refresh token", {
          reauthRequired: true,
        });
      }
      return formGrant(
        http,
        config,
        { grant_type: "refresh_token", refresh_token: current.refreshToken },
        metadata,
        "oauth.refresh",
      );
    default:
      throw new ProviderError(
        config.entry.id,
        "not_refreshable",
        `${config.entry.name} tokens are not refreshed`,
        {
          retryable: false,
        },
      );
  }
}
