import { randomBytes } from "node:crypto";
import { type RecordedRequest, type SimResponse, type Simulator, startSimulator } from "./simulator.ts";

export interface OAuthSimulatorOptions {
  clientId?: string;
  clientSecret?: string;
  /** Issue a new refresh token on every refresh and invalidate the old one (Slack, Xero…). */
  rotateRefreshTokens?: boolean;
  /** Lifetime of access tokens, seconds. */
  expiresIn?: number;
  /** Scopes granted on authorization. */
  scope?: string;
}

export interface OAuthSimulator extends Simulator {
  tokenUrl: string;
  authorizeUrl: string;
  /** Issues an authorization code as if the user had approved (optionally bound to a PKCE challenge). */
  issueCode(options?: { redirectUri?: string; codeChallenge?: string }): string;
  /** Makes a refresh token unusable (the user revoked access) → `invalid_grant`. */
  revoke(refreshToken: string): void;
  /** Refresh tokens currently valid. */
  validRefreshTokens(): string[];
  /** Access tokens issued so far, newest last. */
  accessTokens: string[];
}

const token = (prefix: string) => `${prefix}_${randomBytes(12).toString("hex")}`;

/**
 * A generic OAuth 2.0 token endpoint (RFC 6749): authorization-code grant (with PKCE S256
 * verification when a challenge was bound), refresh-token grant with optional rotation, client
 * authentication by Basic header or form fields, and `invalid_grant` / `invalid_client` errors.
 */
export async function startOAuthSimulator(options: OAuthSimulatorOptions = {}): Promise<OAuthSimulator> {
  const clientId = options.clientId ?? "sandbox-client";
  const clientSecret = options.clientSecret ?? "sandbox-secret";
  const codes = new Map<string, { redirectUri?: string | undefined; codeChallenge?: string | undefined }>();
  const refreshTokens = new Set<string>();
  const accessTokens: string[] = [];

  const oauthError = (status: number, error: string, description: string): SimResponse => ({
    status,
    body: { error, error_description: description },
  });

  const grant = (): SimResponse => {
    const access = token("at");
    accessTokens.push(access);
    return {
      body: {
        access_token: access,
        token_type: "Bearer",
        expires_in: options.expiresIn ?? 3600,
        scope: options.scope ?? "read write",
      },
    };
  };

  const authenticate = (request: RecordedRequest, form: URLSearchParams): boolean => {
    const basic = request.headers.authorization?.match(/^Basic (.+)$/)?.[1];
    if (basic) {
      const [id, secret] = Buffer.from(basic, "base64").toString("utf8").split(":");
      return decodeURIComponent(id ?? "") === clientId && decodeURIComponent(secret ?? "") === clientSecret;
    }
    return form.get("client_id") === clientId && form.get("client_secret") === clientSecret;
  };

  const sim = await startSimulator({
    "POST /token": async (request) => {
      const form = new URLSearchParams(request.body);
      if (!authenticate(request, form))
        return oauthError(401, "invalid_client", "Client authentication failed");
      const type = form.get("grant_type");
      if (type === "authorization_code") {
        const code = form.get("code") ?? "";
        const bound = codes.get(code);
        codes.delete(code);
        if (!bound) return oauthError(400, "invalid_grant", "Authorization code is invalid or was used");
        if (bound.redirectUri && bound.redirectUri !== form.get("redirect_uri")) {
          return oauthError(400, "invalid_grant", "redirect_uri does not match");
        }
        if (bound.codeChallenge) {
          const verifier = form.get("code_verifier") ?? "";
          const digest = Buffer.from(
            await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)),
          );
          if (digest.toString("base64url") !== bound.codeChallenge) {
            return oauthError(400, "invalid_grant", "PKCE verification failed");
          }
        }
        const refresh = token("rt");
        refreshTokens.add(refresh);
        const answer = grant();
        return { body: { ...(answer.body as object), refresh_token: refresh } };
      }
      if (type === "refresh_token") {
        const presented = form.get("refresh_token") ?? "";
        if (!refreshTokens.has(presented))
          return oauthError(400, "invalid_grant", "Refresh token is invalid or revoked");
        const answer = grant();
        if (!options.rotateRefreshTokens) return answer;
        refreshTokens.delete(presented);
        const next = token("rt");
        refreshTokens.add(next);
        return { body: { ...(answer.body as object), refresh_token: next } };
      }
      return oauthError(400, "unsupported_grant_type", `grant_type ${type ?? "(none)"} is not supported`);
    },
    "GET /authorize": (request) => ({
      body: { note: "sandbox consent screen", client_id: request.query.get("client_id") },
    }),
  });

  return {
    ...sim,
    tokenUrl: `${sim.url}/token`,
    authorizeUrl: `${sim.url}/authorize`,
    accessTokens,
    issueCode: (bind = {}) => {
      const code = token("code");
      codes.set(code, bind);
      return code;
    },
    revoke: (refresh) => {
      refreshTokens.delete(refresh);
    },
    validRefreshTokens: () => [...refreshTokens],
  };
}
