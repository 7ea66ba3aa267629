import { ProviderError } from "../errors.ts";
import { parseRetryAfter } from "./retry-after.ts";

/** OAuth error codes that mean the grant is gone: the user must reconnect. */
const REAUTH_CODES = new Set([
  "invalid_grant",
  "invalid_client",
  "unauthorized_client",
  "invalid_token",
  "invalid_refresh_token", // Slack
  "token_revoked", // Slack
  "token_expired", // Slack
  "invalid_client_id", // Slack
  "bad_client_secret", // Slack
  "invalid_code", // Slack
  "access_denied",
]);
const RATE_LIMIT_CODES = new Set(["ratelimited", "rate_limited", "slow_down"]);

export interface OAuthFailure {
  status: number;
  body: unknown;
  retryAfter?: string | null;
}

function errorCodeOf(body: unknown): {
  code: string | undefined;
  description: string | undefined;
  metaCode?: number;
} {
  if (typeof body !== "object" || body === null) return { code: undefined, description: undefined };
  const b = body as Record<string, unknown>;
  if (typeof b.error === "string") {
    return {
      code: b.error,
      description: typeof b.error_description === "string" ? b.error_description : undefined,
    };
  }
  if (typeof b.error === "object" && b.error !== null) {
    // Meta: { error: { message, type: "OAuthException", code: 190 } }
    const e = b.error as Record<string, unknown>;
    return {
      code: typeof e.type === "string" ? e.type : undefined,
      description: typeof e.message === "string" ? e.message : undefined,
      ...(typeof e.code === "number" ? { metaCode: e.code } : {}),
    };
  }
  if (typeof b.message === "string") return { code: undefined, description: b.message };
  return { code: undefined, description: undefined };
}

/**
 * Maps a token-endpoint failure to an error the status machine understands: a dead grant →
 * `reauthRequired` (connection `expired`), 429 and 5xx → retryable with `Retry-After`, any other
 * 4xx → not retryable.
 */
export function classifyOAuthError(provider: string, failure: OAuthFailure): ProviderError {
  const { code, description, metaCode } = errorCodeOf(failure.body);
  const detail = [code, description].filter(Boolean).join(": ") || `HTTP ${failure.status}`;
  const retryAfterMs = parseRetryAfter(failure.retryAfter ?? undefined);
  const context = { status: failure.status, oauthError: code ?? null };
  if (metaCode === 190 || (code && REAUTH_CODES.has(code))) {
    return new ProviderError(
      provider,
      code === "invalid_client" ? "invalid_client" : "invalid_grant",
      detail,
      {
        retryable: false,
        reauthRequired: true,
        context,
      },
    );
  }
  if (
    failure.status === 429 ||
    (code && RATE_LIMIT_CODES.has(code)) ||
    [4, 17, 32, 613].includes(metaCode ?? -1)
  ) {
    return new ProviderError(provider, "rate_limited", detail, {
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      context,
    });
  }
  if (failure.status >= 500 || failure.status === 408) {
    return new ProviderError(provider, "provider_unavailable", detail, {
      retryable: true,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      context,
    });
  }
  return new ProviderError(provider, "provider_rejected", detail, { retryable: false, context });
}
