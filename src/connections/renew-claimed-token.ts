import { keyVersionOf } from "../crypto/envelope.ts";
import type { KeyRing } from "../crypto/key-ring.ts";
import { nodeEnvelope } from "../crypto/node-envelope.ts";
import { renewAccessToken } from "../providers/oauth-client.ts";
import type { ProviderConfig } from "../providers/provider-config.ts";
import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import type { ClaimedRefresh } from "./claim-due-refreshes.ts";
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

/** Applies `fn` to each field with its `tenantId:provider:field` binding. */
const eachField = (
  fields: Record<string, string>,
  owner: { tenantId: string; provider: string },
  fn: (value: string, binding: { tenantId: string; provider: string; field: string }) => string,
) =>
  Object.fromEntries(Object.entries(fields).map(([field, value]) => [field, fn(value, { ...owner, field })]));

/**
 * Renews one claimed connection's token with the fewest AES operations: decrypts only the fields
 * the grant reads (the refresh token) and encrypts only what the answer changed (the access token,
 * and the refresh token when the provider rotated it). Fields sealed under an older key are
 * re-sealed under the current one so the row keeps a single key version. The sweep runs on Node
 * only, so it seals through `node:crypto` (`nodeEnvelope`), the same format as Web Crypto's.
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
  const envelope = nodeEnvelope(deps.keyRing);
  const plain = eachField(pick(row.credentials, read), owner, envelope.decryptSecret);
  const answer = await renewAccessToken(deps.http, config, plain, row.metadata);
  const changed = {
    ...pick(plain, stale),
    access_token: answer.accessToken,
    ...(answer.refreshToken ? { refresh_token: answer.refreshToken } : {}),
  };
  return {
    id: row.id,
    credentials: eachField(changed, owner, envelope.encryptSecret),
    keyVersion: current,
    expiresAt: answer.expiresAt?.toISOString() ?? null,
    dueAt: refreshDueAt(config.entry, answer.expiresAt ?? null)?.toISOString() ?? null,
  };
}
