import { oauthStates } from "../../db/schema.ts";
import { toBase64Url } from "../crypto/encoding.ts";
import { encryptSecret } from "../crypto/envelope.ts";
import { createPkcePair } from "../crypto/pkce.ts";
import { signState } from "../crypto/signed-state.ts";
import { assertTenantId, withTenant } from "../db/with-tenant.ts";
import { ConfigError, ValidationError } from "../errors.ts";
import { fillTemplate, providerConfig } from "../providers/provider-config.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { callbackUrl, type OAuthSettings } from "./oauth-settings.ts";

const STATE_TTL_SECONDS = 10 * 60;

export interface StartOAuthInput {
  tenantId: string;
  provider: string;
  returnUrl?: string | undefined;
  /** Provider-specific values the URLs need (Shopify's `shop`). */
  metadata?: Record<string, string> | undefined;
}

function checkReturnUrl(settings: OAuthSettings, returnUrl: string | undefined): string {
  const url = returnUrl ?? settings.defaultReturnUrl;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    throw new ValidationError(`Invalid return URL "${url}"`);
  }
  if (!settings.allowedReturnOrigins.includes(origin)) {
    throw new ValidationError(`Return URL origin ${origin} is not allowed (set APP_URL)`);
  }
  return url;
}

/**
 * Starts an OAuth connection: records a single-use state (PKCE verifier encrypted at rest) and
 * returns the provider's authorization URL with an HMAC-signed, expiring `state`.
 */
export async function startOAuth(
  deps: ConnectionDeps,
  settings: OAuthSettings,
  input: StartOAuthInput,
): Promise<{ url: string; expiresAt: Date }> {
  assertTenantId(input.tenantId);
  const config = providerConfig(input.provider, deps.env);
  const oauth = config.entry.oauth;
  if (config.entry.authKind !== "oauth2" || !oauth || !config.authorizeUrl) {
    throw new ValidationError(
      `${config.entry.name} does not connect with OAuth (auth kind ${config.entry.authKind})`,
    );
  }
  if (!config.clientId) throw new ConfigError(`${input.provider.toUpperCase()}_CLIENT_ID is not set`);
  const returnUrl = checkReturnUrl(settings, input.returnUrl);
  const metadata = input.metadata ?? {};
  const nonce = toBase64Url(crypto.getRandomValues(new Uint8Array(18)));
  const expiresAt = new Date(Date.now() + STATE_TTL_SECONDS * 1000);
  const redirectUri = callbackUrl(settings, input.provider);
  const pkce = oauth.pkce ? await createPkcePair() : undefined;
  const codeVerifier = pkce
    ? await encryptSecret(deps.keyRing, pkce.verifier, {
        tenantId: input.tenantId,
        provider: input.provider,
        field: `pkce:${nonce}`,
      })
    : null;
  await withTenant(deps.db, input.tenantId, (tx) =>
    tx.insert(oauthStates).values({
      nonce,
      tenantId: input.tenantId,
      provider: input.provider,
      codeVerifier,
      redirectUri,
      returnUrl,
      metadata,
      expiresAt,
    }),
  );
  const state = await signState(settings.stateSecret, {
    tenantId: input.tenantId,
    provider: input.provider,
    nonce,
    expiresAt: Math.floor(expiresAt.getTime() / 1000),
    returnUrl,
  });
  const url = new URL(fillTemplate(config.authorizeUrl, metadata));
  url.searchParams.set(oauth.clientIdParam ?? "client_id", config.clientId);
  url.searchParams.set("redirect_uri", redirectUri);
  url.searchParams.set("response_type", "code");
  if (oauth.scopes.length) url.searchParams.set("scope", oauth.scopes.join(oauth.scopeSeparator ?? " "));
  url.searchParams.set("state", state);
  if (pkce) {
    url.searchParams.set("code_challenge", pkce.challenge);
    url.searchParams.set("code_challenge_method", "S256");
  }
  for (const [key, value] of Object.entries(oauth.authorizeParams ?? {})) url.searchParams.set(key, value);
  return { url: url.toString(), expiresAt };
}
