import { sql } from "drizzle-orm";
import { decryptSecret, encryptSecret } from "../crypto/envelope.ts";
import { sha256Hex } from "../crypto/hmac.ts";
import { rowsOf } from "../db/types.ts";
import { CryptoError } from "../errors.ts";
import { logger } from "../observability/logger.ts";
import { renewAccessToken } from "../providers/oauth-client.ts";
import type { ProviderConfig } from "../providers/provider-config.ts";
import type { ConnectionDeps } from "./connection-deps.ts";

/** A cached token is handed out only if it stays valid at least this long. */
const MARGIN_SECONDS = 120;
/** Lifetime assumed when the token endpoint gives no `expires_in`. */
const DEFAULT_LIFETIME_MS = 3_600_000;

export interface PlatformToken {
  token: string;
  /** Bumped on every mint: `invalidatePlatformToken` names the version the provider refused. */
  version: number;
}

type CacheDeps = Pick<ConnectionDeps, "db" | "keyRing" | "http">;

const resolving = new Map<string, Promise<PlatformToken>>();

const binding = (provider: string, hash: string) => ({
  tenantId: "platform",
  provider,
  field: `access_token:${hash}`,
});

/** Which credentials a cached token belongs to: the API base plus every credential field, hashed. */
async function credentialHash(config: ProviderConfig, fields: Record<string, string>): Promise<string> {
  const sorted = Object.keys(fields)
    .sort()
    .map((k) => [k, fields[k]]);
  return sha256Hex(JSON.stringify([config.apiBaseUrl, sorted]));
}

async function cached(deps: CacheDeps, provider: string, hash: string): Promise<PlatformToken | undefined> {
  const [row] = rowsOf<{ access_token: string; token_version: number }>(
    await deps.db.execute(sql`select access_token, token_version from platform_tokens
      where provider = ${provider} and credential_hash = ${hash}
        and expires_at > now() + make_interval(secs => ${MARGIN_SECONDS})`),
  );
  if (!row) return undefined;
  try {
    const token = await decryptSecret(deps.keyRing, row.access_token, binding(provider, hash));
    return { token, version: row.token_version };
  } catch (err) {
    // Sealed under a key no longer in the ring: mint a new one rather than fail.
    if (!(err instanceof CryptoError)) throw err;
    logger.warn("cached platform token unreadable; minting a new one", { provider });
    return undefined;
  }
}

async function mint(
  deps: CacheDeps,
  config: ProviderConfig,
  fields: Record<string, string>,
  hash: string,
): Promise<PlatformToken> {
  const provider = config.entry.id;
  const answer = await renewAccessToken(deps.http, config, fields);
  const expiresAt = answer.expiresAt ?? new Date(Date.now() + DEFAULT_LIFETIME_MS);
  const sealed = await encryptSecret(deps.keyRing, answer.accessToken, binding(provider, hash));
  const [row] = rowsOf<{ token_version: number }>(
    await deps.db.execute(sql`insert into platform_tokens as t
        (provider, credential_hash, access_token, key_version, expires_at)
      values (${provider}, ${hash}, ${sealed}, ${deps.keyRing.current.version}, ${expiresAt.toISOString()})
      on conflict (provider, credential_hash) do update set
        access_token = excluded.access_token,
        key_version = excluded.key_version,
        token_version = t.token_version + 1,
        expires_at = excluded.expires_at,
        updated_at = now()
      returning token_version`),
  );
  return { token: answer.accessToken, version: row!.token_version };
}

/**
 * The platform's client-credentials token for a provider (PayPal): read from `platform_tokens`
 * while it stays valid for two more minutes, else minted through the catalog's `tokenRequest` and
 * stored encrypted for every process. One look-up or mint at a time per process; two processes missing the
 * cache at the same instant both mint (client-credentials tokens coexist), and the last one stays.
 * Single statements only, so it works on the edge HTTP driver.
 */
export async function platformClientToken(
  deps: CacheDeps,
  config: ProviderConfig,
  fields: Record<string, string>,
): Promise<PlatformToken> {
  const provider = config.entry.id;
  const hash = await credentialHash(config, fields);
  const key = `${provider}:${hash}`;
  // The cache read joins the single flight too: a caller whose read started before a mint was
  // stored, and that finished after the mint settled, would otherwise mint a second token.
  let pending = resolving.get(key);
  if (!pending) {
    pending = (async () =>
      (await cached(deps, provider, hash)) ?? (await mint(deps, config, fields, hash)))().finally(() =>
      resolving.delete(key),
    );
    resolving.set(key, pending);
  }
  return pending;
}

/**
 * Forgets a token the provider refused (401), unless a newer one was minted meanwhile: the next
 * `platformClientToken` mints again, in every process.
 */
export async function invalidatePlatformToken(
  deps: CacheDeps,
  config: ProviderConfig,
  fields: Record<string, string>,
  version: number,
): Promise<void> {
  const hash = await credentialHash(config, fields);
  await deps.db.execute(sql`update platform_tokens set expires_at = now(), updated_at = now()
    where provider = ${config.entry.id} and credential_hash = ${hash} and token_version = ${version}`);
}
