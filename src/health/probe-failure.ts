import { type AppError, ProviderError } from "../errors.ts";
import { classifyHttpFailure, type ProviderResponse } from "../providers/provider-http-client.ts";

const SLACK_AUTH = new Set([
  "invalid_auth",
  "not_authed",
  "token_revoked",
  "token_expired",
  "account_inactive",
]);

function slackFailure(response: ProviderResponse): AppError | undefined {
  const body = response.json as { ok?: unknown; error?: unknown } | undefined;
  if (!response.ok || body?.ok !== false) return undefined;
  // Slack's own code, but any text the answer holds: no control characters, bounded.
  const code =
    typeof body.error === "string" ? body.error.replace(/\p{Cc}+/gu, " ").slice(0, 100) : "unknown_error";
  const message = `slack answered ok=false: ${code}`;
  if (SLACK_AUTH.has(code)) {
    return new ProviderError("slack", "unauthorized", message, {
      reauthRequired: true,
      context: { status: 401, slackError: code },
    });
  }
  if (code === "missing_scope" || code === "no_permission") {
    return new ProviderError("slack", "forbidden", message, { context: { status: 403, slackError: code } });
  }
  if (code === "ratelimited") {
    return new ProviderError("slack", "rate_limited", message, {
      retryable: true,
      context: { status: 429, slackError: code },
    });
  }
  return new ProviderError("slack", "provider_rejected", message, {
    context: { status: response.status, slackError: code },
  });
}

/** Credential errors some providers answer with 400 instead of 401 (OAuth token endpoints, Plaid). */
const AUTH_CODES = new Set(["invalid_client", "invalid_grant", "INVALID_API_KEYS", "ITEM_LOGIN_REQUIRED"]);

function authIn400(provider: string, response: ProviderResponse): AppError | undefined {
  if (response.status !== 400) return undefined;
  const body = response.json as { error?: unknown; error_code?: unknown } | undefined;
  const code = [body?.error, body?.error_code].find((v): v is string => typeof v === "string");
  if (!code || !AUTH_CODES.has(code)) return undefined;
  return new ProviderError(provider, "unauthorized", `${provider} refused the credential: ${code}`, {
    reauthRequired: true,
    context: { status: 400, providerCode: code },
  });
}

/**
 * How a probe reads a provider's answer: the shared HTTP taxonomy (401 auth, 403 permission,
 * 429 rate limited, 5xx down), plus answers that say "bad credential" without a 401: Slack's
 * `200 {ok:false, error:"invalid_auth"}`, OAuth `invalid_client`/`invalid_grant` and Plaid's
 * `INVALID_API_KEYS` in a 400.
 */
export function probeFailure(provider: string): (response: ProviderResponse) => AppError | undefined {
  return (response) =>
    (provider === "slack" ? slackFailure(response) : undefined) ??
    authIn400(provider, response) ??
    classifyHttpFailure(provider, response);
}
