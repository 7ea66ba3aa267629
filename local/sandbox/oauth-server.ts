import { randomBytes } from "node:crypto";
import {
  type RecordedRequest,
  type SimResponse,
  type SimRoute,
  type Simulator,
  startSimulator,
} from "./simulator.ts";

export type OAuthDialect = "standard" | "slack" | "meta";

export interface OAuthSimulatorOptions {
  dialect?: OAuthDialect;
  clientId?: string;
  clientSecret?: string;
  /** Issue a new refresh token on every refresh and invalidate the old one (Slack, DocuSign). */
  rotateRefreshTokens?: boolean;
  /** Lifetime of access tokens, seconds. */
  expiresIn?: number;
  scope?: string;
  /** Fields added to authorization-code answers (Stripe Connect's `stripe_user_id`). */
  extraTokenFields?: Record<string, string>;
  /** Extra routes (the provider's API, for probes), keyed `"METHOD /path"`. */
  apiRoutes?: Record<string, SimRoute>;
}

export interface OAuthSimulator extends Simulator {
  tokenUrl: string;
  authorizeUrl: string;
  revokeUrl: string;
  /** Issues an authorization code as if the user had approved (optionally bound to PKCE). */
  issueCode(options?: { redirectUri?: string; codeChallenge?: string }): string;
  /** Makes a refresh (or Meta access) token unusable: the user revoked access. */
  revoke(token: string): void;
  /** Seeds a valid refresh token (or Meta access token), as if issued earlier. */
  seedToken(token: string): void;
  /** Seeds a live access token, as if issued earlier (Slack's `auth.revoke` refuses others). */
  seedAccessToken(token: string): void;
  validRefreshTokens(): string[];
  accessTokens: string[];
  /** Whether a bearer token is a live access token (for API routes). */
  isValidAccessToken(token: string | undefined): boolean;
}

const token = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/**
 * An OAuth 2.0 provider on loopback, in one of three dialects:
 * - `standard` (Google, Klaviyo, DocuSign): RFC 6749 form grants at `POST /token`, JSON errors
 *   with HTTP 400/401, PKCE S256 verified when a challenge was bound;
 * - `slack`: `POST /api/oauth.v2.access`, errors as HTTP 200 `{ ok: false, error }`, optional
 *   rotating refresh tokens, an incoming-webhook URL on install, `auth.test` / `auth.revoke`;
 * - `meta`: `GET /oauth/access_token` for code exchange and `fb_exchange_token` (long-lived
 *   tokens, no refresh tokens), errors as `{ error: { type: "OAuthException", code: 190 } }`.
 */
export async function startOAuthSimulator(options: OAuthSimulatorOptions = {}): Promise<OAuthSimulator> {
  const dialect = options.dialect ?? "standard";
  const clientId = options.clientId ?? "sandbox-client";
  const clientSecret = options.clientSecret ?? "sandbox-secret";
  const codes = new Map<string, { redirectUri?: string | undefined; codeChallenge?: string | undefined }>();
  const refreshTokens = new Set<string>();
  const liveAccess = new Set<string>();
  const accessTokens: string[] = [];
  let baseUrl = "";

  const fail = (status: number, error: string, description: string): SimResponse => {
    if (dialect === "slack") return { status: 200, body: { ok: false, error } };
    if (dialect === "meta") {
      return {
        status: 400,
        body: {
          error: {
            message: description,
            type: "OAuthException",
            code: error === "invalid_grant" ? 190 : 100,
          },
        },
      };
    }
    return { status, body: { error, error_description: description } };
  };

  const issueAccess = (withRefresh: boolean): Record<string, unknown> => {
    const access = token(dialect === "slack" ? "xoxe.xoxb" : dialect === "meta" ? "EAAG" : "ya29");
    accessTokens.push(access);
    liveAccess.add(access);
    const body: Record<string, unknown> = {
      access_token: access,
      token_type: "bearer",
      expires_in: options.expiresIn ?? (dialect === "meta" ? 5_184_000 : 3600),
    };
    if (dialect !== "meta") body.scope = options.scope ?? "read write";
    if (withRefresh && dialect !== "meta") {
      const refresh = token(dialect === "slack" ? "xoxe-1" : "rt");
      refreshTokens.add(refresh);
      body.refresh_token = refresh;
    }
    if (dialect === "slack") {
      Object.assign(body, { ok: true, team: { id: "T0SANDBOX", name: "Sandbox" }, bot_user_id: "U0BOT" });
    }
    return body;
  };

  const authenticated = (request: RecordedRequest, params: URLSearchParams): boolean => {
    const basic = request.headers.authorization?.match(/^Basic (.+)$/)?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
      return decodeURIComponent(id ?? "") === clientId && decodeURIComponent(secret ?? "") === clientSecret;
    }
    return params.get("client_id") === clientId && params.get("client_secret") === clientSecret;
  };

  const grant = async (request: RecordedRequest, params: URLSearchParams): Promise<SimResponse> => {
    if (!authenticated(request, params)) return fail(401, "invalid_client", "Client authentication failed");
    const type = params.get("grant_type") ?? (params.get("code") ? "authorization_code" : null);
    if (type === "authorization_code") {
      const code = params.get("code") ?? "";
      const bound = codes.get(code);
      codes.delete(code);
      if (!bound) return fail(400, "invalid_grant", "Authorization code is invalid or was used");
      if (bound.redirectUri && bound.redirectUri !== params.get("redirect_uri")) {
        return fail(400, "invalid_grant", "redirect_uri does not match");
      }
      if (bound.codeChallenge) {
        const verifier = params.get("code_verifier") ?? "";
        const digest = Buffer.from(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
        if (digest.toString("base64url") !== bound.codeChallenge)
          return fail(400, "invalid_grant", "PKCE verification failed");
      }
      const body = { ...issueAccess(true), ...options.extraTokenFields };
      if (dialect === "slack")
        body.incoming_webhook = { url: `${baseUrl}/hooks/T0SANDBOX/B0ALERTS`, channel: "#alerts" };
      return { body };
    }
    if (type === "refresh_token" && dialect !== "meta") {
      const presented = params.get("refresh_token") ?? "";
      if (!refreshTokens.has(presented))
        return fail(400, "invalid_grant", "Refresh token is invalid or revoked");
      const body = issueAccess(false);
      if (options.rotateRefreshTokens) {
        refreshTokens.delete(presented);
        const next = token(dialect === "slack" ? "xoxe-1" : "rt");
        refreshTokens.add(next);
        body.refresh_token = next;
      }
      return { body };
    }
    if (type === "fb_exchange_token" && dialect === "meta") {
      const presented = params.get("fb_exchange_token") ?? "";
      if (!liveAccess.has(presented))
        return fail(400, "invalid_grant", "Error validating access token: session expired");
      return { body: issueAccess(false) };
    }
    return fail(400, "unsupported_grant_type", `grant_type ${type ?? "(none)"} is not supported`);
  };

  const bearer = (request: RecordedRequest) => request.headers.authorization?.replace(/^Bearer\s+/i, "");
  const routes: Record<string, SimRoute> = {
    // The consent screen approves at once: back to redirect_uri with a code bound to it (and PKCE).
    "GET /authorize": (request) => {
      const redirectUri = request.query.get("redirect_uri");
      if (request.query.get("client_id") !== clientId || !redirectUri) {
        return {
          status: 400,
          body: { error: "invalid_request", error_description: "unknown client_id or no redirect_uri" },
        };
      }
      const code = token("code");
      codes.set(code, { redirectUri, codeChallenge: request.query.get("code_challenge") ?? undefined });
      const target = new URL(redirectUri);
      target.searchParams.set("code", code);
      const state = request.query.get("state");
      if (state) target.searchParams.set("state", state);
      return { status: 302, headers: { location: target.toString() }, body: "" };
    },
    "POST /revoke": (request) => {
      const presented = new URLSearchParams(request.body).get("token") ?? "";
      refreshTokens.delete(presented);
      liveAccess.delete(presented);
      return { body: {} };
    },
    ...options.apiRoutes,
  };
  if (dialect === "standard")
    routes["POST /token"] = (request) => grant(request, new URLSearchParams(request.body));
  if (dialect === "meta") {
    routes["GET /oauth/access_token"] = (request) => grant(request, request.query);
    // Meta's Graph API takes the same parameters on POST (form body or query); the client POSTs.
    routes["POST /oauth/access_token"] = (request) =>
      grant(
        request,
        new URLSearchParams({
          ...Object.fromEntries(request.query),
          ...Object.fromEntries(new URLSearchParams(request.body)),
        }),
      );
    routes["GET /me"] = (request) =>
      liveAccess.has(bearer(request) ?? "")
        ? { body: { id: "1000" } }
        : fail(400, "invalid_grant", "Invalid OAuth access token");
  }
  if (dialect === "slack") {
    routes["POST /api/oauth.v2.access"] = (request) => grant(request, new URLSearchParams(request.body));
    routes["POST /api/auth.test"] = (request) =>
      liveAccess.has(bearer(request) ?? "")
        ? { body: { ok: true, team_id: "T0SANDBOX" } }
        : { body: { ok: false, error: "invalid_auth" } };
    // Slack answers a token it does not know with HTTP 200 and `ok: false`.
    routes["POST /api/auth.revoke"] = (request) => {
      if (!liveAccess.delete(bearer(request) ?? "")) return { body: { ok: false, error: "invalid_auth" } };
      return { body: { ok: true, revoked: true } };
    };
    routes["POST /hooks/*"] = () => ({ status: 200, body: "ok" });
  }

  const sim = await startSimulator(routes);
  baseUrl = sim.url;
  const tokenPath = { standard: "/token", slack: "/api/oauth.v2.access", meta: "/oauth/access_token" }[
    dialect
  ];
  return {
    ...sim,
    tokenUrl: `${sim.url}${tokenPath}`,
    authorizeUrl: `${sim.url}/authorize`,
    revokeUrl: dialect === "slack" ? `${sim.url}/api/auth.revoke` : `${sim.url}/revoke`,
    accessTokens,
    issueCode: (bind = {}) => {
      const code = token("code");
      codes.set(code, bind);
      return code;
    },
    revoke: (value) => {
      refreshTokens.delete(value);
      liveAccess.delete(value);
    },
    seedToken: (value) => {
      if (dialect === "meta") liveAccess.add(value);
      else refreshTokens.add(value);
    },
    seedAccessToken: (value) => {
      liveAccess.add(value);
    },
    validRefreshTokens: () => [...refreshTokens],
    isValidAccessToken: (value) => Boolean(value && liveAccess.has(value)),
  };
}
