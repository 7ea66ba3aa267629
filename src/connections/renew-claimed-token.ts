import { keyVersionOf } from "../crypto/envelope.ts";
import type { KeyRing } from "../crypto/key-ring.ts";
import { renewAccessToken } from "../providers/oauth-client.ts";
import type { ProviderConfig } from "../providers/provider-config.ts";
import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import type { ClaimedRefresh } from "./claim-due-refreshes.ts";
import { decryptCredentials, encryptCredentials } from "./credential-cipher.ts";
import { refreshDueAt } from "./refresh-schedule.ts";

/** A provider's answer, sealed and ready to write back: only the fields that changed. */
export interface RenewedToken {
  id: string;
  /** Sealed fields that replace the row's (the others stay as they are). */
  credentials: Record<string, string>;
  keyVersion: string;
  expiresAt: string | null;
  dueAt: string | null;
}

/** The fields the provider's refresh reads: one decrypt for the usual refresh-token grant. */
function fieldsRead(config: ProviderConfig, sealed: Record<string, string>): string[] {
  switch (config.entry.refresh) {
    case "refresh_token":
    case "rotating_refresh_token":
      return ["refresh_token"].filter((f) => f in sealed);
    case "long_lived_exchange":
      return ["access_token"].filter((f) => f in sealed);
    default:
      return Object.keys(sealed);
  }
}

const pick = (fields: Record<string, string>, names: string[]) =>
  Object.fromEntries(names.filter((n) => n in fields).map((n) => [n, fields[n]!]));

/**
 * Renews one claimed connection's token with the fewest AES operations: decrypts only the fields
 * the grant reads (the refresh token) and encrypts only what the answer changed (the access token,
 * and the refresh token when the provider rotated it). Fields sealed under an older key are
 * re-sealed under the current one so the row keeps a single key version.
 */
export async function renewClaimedToken(
  deps: { keyRing: KeyRing; http: ProviderHttpClient },
  config: ProviderConfig,
  row: ClaimedRefresh,
): Promise<RenewedToken> {
  const owner = { tenantId: row.tenant_id, provider: row.provider };
  const current = deps.keyRing.current.version;
  const stale = Object.keys(row.credentials).filter((f) => keyVersionOf(row.credentials[f]!) !== current);
  const read = [...new Set([...fieldsRead(config, row.credentials), ...stale])];
  const plain = await decryptCredentials(deps.keyRing, owner, pick(row.credentials, read));
  const answer = await renewAccessToken(deps.http, config, plain, row.metadata);
  const changed = {
    ...pick(plain, stale),
    access_token: answer.accessToken,
    ...(answer.refreshToken ? { refresh_token: answer.refreshToken } : {}),
  };
  const sealed = await encryptCredentials(deps.keyRing, owner, changed);
  return {
    id: row.id,
    credentials: sealed.credentials,
    keyVersion: sealed.keyVersion,
    expiresAt: answer.expiresAt?.toISOString() ?? null,
    dueAt: refreshDueAt(config.entry, answer.expiresAt ?? null)?.toISOString() ?? null,
  };
}
