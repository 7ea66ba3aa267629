import { sql } from "drizzle-orm";
import { decryptSecret } from "../crypto/envelope.ts";
import { verifyState } from "../crypto/signed-state.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { AppError, ValidationError } from "../errors.ts";
import { exchangeAuthorizationCode } from "../providers/oauth-client.ts";
import { providerConfig } from "../providers/provider-config.ts";
import { announceReconnect } from "./announce-reconnect.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { linkExternalAccount } from "./link-external-account.ts";
import type { OAuthSettings } from "./oauth-settings.ts";
import { saveConnection } from "./save-connection.ts";

export interface OAuthCallbackInput {
  provider: string;
  code: string | null;
  state: string | null;
  /** The provider's `error` parameter (the user declined). */
  error: string | null;
}

interface StateRow {
  code_verifier: string | null;
  redirect_uri: string;
  return_url: string | null;
  metadata: Record<string, unknown>;
}

/**
 * Finishes an OAuth connection. The state must be correctly signed, unexpired, for this provider
 * and unused (it is consumed here, in one statement, so a replay finds it gone). Nothing is
 * stored unless the provider exchanges the code.
 */
export async function completeOAuth(
  deps: ConnectionDeps,
  settings: OAuthSettings,
  input: OAuthCallbackInput,
): Promise<{ connectionId: string; tenantId: string; returnUrl: string }> {
  if (!input.state) throw new ValidationError("The OAuth callback has no state");
  const state = await verifyState(settings.stateSecret, input.state);
  if (state.provider !== input.provider)
    throw new ValidationError("The OAuth state belongs to another provider");
  const [row] = rowsOf<StateRow>(
    await withTenant(deps.db, state.tenantId, (tx) =>
      tx.execute(sql`update oauth_states set used_at = now()
      where nonce = ${state.nonce} and tenant_id = ${state.tenantId} and provider = ${state.provider}
        and used_at is null and expires_at > now()
      returning code_verifier, redirect_uri, return_url, metadata`),
    ),
  );
  if (!row)
    throw new ValidationError("The OAuth state was already used or has expired: start the connection again");
  if (input.error) {
    // The user declined at the provider: nothing to store; send them back with the reason.
    throw new AppError("authorization_denied", `Authorization was not granted: ${input.error}`, {
      context: { returnUrl: row.return_url ?? settings.defaultReturnUrl, reason: input.error },
    });
  }
  if (!input.code) throw new ValidationError("The OAuth callback has no code");

  const config = providerConfig(input.provider, deps.env);
  const owner = { tenantId: state.tenantId, provider: state.provider };
  const codeVerifier = row.code_verifier
    ? await decryptSecret(deps.keyRing, row.code_verifier, { ...owner, field: `pkce:${state.nonce}` })
    : undefined;
  const tokens = await exchangeAuthorizationCode(deps.http, config, {
    code: input.code,
    redirectUri: row.redirect_uri,
    codeVerifier,
    metadata: row.metadata,
  });
  const saved = await withTenant(deps.db, state.tenantId, (tx) =>
    saveConnection(tx, deps.keyRing, {
      ...owner,
      credentials: {
        access_token: tokens.accessToken,
        ...(tokens.refreshToken ? { refresh_token: tokens.refreshToken } : {}),
        ...tokens.extraSecrets,
      },
      expiresAt: tokens.expiresAt,
      scopes: tokens.scopes ?? config.entry.oauth?.scopes ?? [],
      metadata: { ...row.metadata, ...tokens.account, connectedVia: "oauth" },
    }),
  );
  const accountId = config.entry.accountIdField ? tokens.account[config.entry.accountIdField] : undefined;
  if (accountId) {
    await withTenant(deps.db, state.tenantId, (tx) =>
      linkExternalAccount(tx, { ...owner, accountId, connectionId: saved.id }),
    );
  }
  await announceReconnect(deps, owner, saved);
  return {
    connectionId: saved.id,
    tenantId: state.tenantId,
    returnUrl: row.return_url ?? settings.defaultReturnUrl,
  };
}
