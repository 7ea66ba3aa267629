import { fromBase64, fromUtf8, utf8 } from "../crypto/encoding.ts";
import { sha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { UnavailableError } from "../errors.ts";
import { BoundedCache } from "./bounded-cache.ts";
import { createProviderHttpClient, type ProviderHttpClient } from "./provider-http-client.ts";
import { WebhookVerificationError } from "./webhook-verification-error.ts";

/** A P-256 public key as Plaid's `/webhook_verification_key/get` returns it. */
export interface PlaidVerificationKey {
  kty: string;
  crv: string;
  x: string;
  y: string;
  kid?: string;
  expired_at?: number | null;
}

export interface PlaidKeySource {
  /** The verification key for a key id, or undefined when Plaid does not know it (or it expired). */
  getKey(kid: string): Promise<CryptoKey | undefined>;
}

export interface PlaidKeyCacheLimits {
  /** Known keys kept (least recently used evicted first) and for how long before re-fetching. */
  maxKeys: number;
  keyTtlMs: number;
  /** Unknown key ids remembered, and for how long, so a repeated forged id costs no call. */
  maxUnknown: number;
  unknownTtlMs: number;
  /** Global budget of look-ups for ids we have never seen: `lookups` per `perMs`, for all ids together. */
  lookups: number;
  perMs: number;
}

const DEFAULT_LIMITS: PlaidKeyCacheLimits = {
  maxKeys: 16,
  keyTtlMs: 3_600_000,
  maxUnknown: 1_000,
  unknownTtlMs: 10 * 60_000,
  lookups: 10,
  perMs: 60_000,
};

const importEcKey = (jwk: PlaidVerificationKey) =>
  crypto.subtle.importKey(
    "jwk",
    { kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y },
    { name: "ECDSA", namedCurve: "P-256" },
    false,
    ["verify"],
  );

/**
 * Plaid's verification keys from `/webhook_verification_key/get`, imported once and cached by `kid`
 * in a bounded LRU. Plaid rotates keys, so an unknown id is looked up — but a miss is remembered,
 * concurrent look-ups of one id share a call, and look-ups of never-seen ids share one global budget
 * (a token bucket, refilled at that rate): forged ids make us call Plaid at most `lookups` times
 * per `perMs` in all. Past the budget an unknown id is "unavailable" (503, so a genuine delivery
 * signed with a brand-new key is retried by Plaid) without calling Plaid.
 */
export function createPlaidKeySource(
  config: { apiUrl: string; clientId: string; secret: string },
  limits: PlaidKeyCacheLimits = DEFAULT_LIMITS,
  now: () => number = Date.now,
  http: ProviderHttpClient = createProviderHttpClient(),
): PlaidKeySource {
  const known = new BoundedCache<CryptoKey>(limits.maxKeys, now);
  const unknown = new BoundedCache<true>(limits.maxUnknown, now);
  const inFlight = new Map<string, Promise<CryptoKey | undefined>>();
  let tokens = limits.lookups;
  let refilledAt = now();

  const takeLookup = (): boolean => {
    const elapsed = now() - refilledAt;
    const refill = Math.floor((elapsed / limits.perMs) * limits.lookups);
    if (refill > 0) {
      tokens = Math.min(limits.lookups, tokens + refill);
      refilledAt += (refill * limits.perMs) / limits.lookups;
    }
    if (tokens <= 0) return false;
    tokens--;
    return true;
  };

  async function fetchKey(kid: string): Promise<CryptoKey | undefined> {
    const response = await http
      .request({
        provider: "plaid",
        operation: "webhook.verification_key",
        url: `${config.apiUrl.replace(/\/+$/, "")}/webhook_verification_key/get`,
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ client_id: config.clientId, secret: config.secret, key_id: kid }),
        timeoutMs: 5_000,
        failure: (answer) =>
          answer.ok || answer.status === 400 || answer.status === 404
            ? undefined
            : new UnavailableError(`Plaid answered ${answer.status} for its verification key`),
      })
      .catch((err: unknown) => {
        if (err instanceof UnavailableError) throw err;
        throw new UnavailableError("Could not fetch Plaid's webhook verification key", { cause: err });
      });
    if (response.status === 400 || response.status === 404) {
      const code = (response.json as { error_code?: string } | undefined)?.error_code;
      if (response.status === 404 || code === "INVALID_WEBHOOK_VERIFICATION_KEY_ID") {
        unknown.set(kid, true, limits.unknownTtlMs);
        return undefined;
      }
      // Wrong platform credentials, not a forged id: nothing can be verified until they are fixed.
      throw new UnavailableError(`Plaid refused the verification-key look-up (${code ?? response.status})`);
    }
    const { key } = response.json as { key: PlaidVerificationKey };
    if (key.expired_at) {
      unknown.set(kid, true, limits.unknownTtlMs);
      return undefined;
    }
    const imported = await importEcKey(key);
    known.set(kid, imported, limits.keyTtlMs);
    return imported;
  }

  return {
    async getKey(kid) {
      const hit = known.get(kid);
      if (hit) return hit;
      if (unknown.get(kid)) return undefined;
      const pending = inFlight.get(kid);
      if (pending) return pending;
      if (!takeLookup()) {
        throw new UnavailableError("Too many look-ups of unknown Plaid key ids; try again later");
      }
      const lookup = fetchKey(kid).finally(() => inFlight.delete(kid));
      inFlight.set(kid, lookup);
      return lookup;
    },
  };
}

const sources = new BoundedCache<PlaidKeySource>(4);

/**
 * The process-wide key source for one Plaid account: caches and budget outlive a request even where
 * the runtime hands each request a new `env` object.
 */
export function sharedPlaidKeySource(config: {
  apiUrl: string;
  clientId: string;
  secret: string;
}): PlaidKeySource {
  const id = `${config.apiUrl}\n${config.clientId}\n${config.secret}`;
  let source = sources.get(id);
  if (!source) {
    source = createPlaidKeySource(config);
    sources.set(id, source, Number.POSITIVE_INFINITY);
  }
  return source;
}

const MAX_AGE_SEC = 5 * 60;
/** Plaid's clock may run slightly ahead of ours; a token further in the future is refused. */
const CLOCK_SKEW_SEC = 30;

function decodeSegment(segment: string): Record<string, unknown> {
  const value = JSON.parse(fromUtf8(fromBase64(segment))) as unknown;
  if (typeof value !== "object" || value === null || Array.isArray(value))
    throw new SyntaxError("not an object");
  return value as Record<string, unknown>;
}

/**
 * Verifies `Plaid-Verification` with Web Crypto: a compact ES256 JWS whose key is fetched by `kid`,
 * whose signature (raw r‖s, 64 bytes) verifies over `header.payload`, issued at most five minutes ago
 * and not in the future (an `exp`, if present, not passed), whose `request_body_sha256` matches the
 * SHA-256 of the raw body.
 */
export async function verifyPlaidWebhook(
  raw: Uint8Array<ArrayBuffer>,
  token: string | null,
  keys: PlaidKeySource,
  nowMs = Date.now(),
): Promise<void> {
  const fail = (
    reason: "malformed_header" | "invalid_signature" | "stale_timestamp" | "future_timestamp",
    message: string,
  ) => new WebhookVerificationError("plaid", reason, message);
  if (!token)
    throw new WebhookVerificationError("plaid", "missing_header", "Missing Plaid-Verification header");
  const parts = token.split(".");
  let header: Record<string, unknown>;
  let claims: Record<string, unknown>;
  let signature: Uint8Array<ArrayBuffer>;
  try {
    if (parts.length !== 3) throw new SyntaxError("not a compact JWS");
    header = decodeSegment(parts[0]!);
    claims = decodeSegment(parts[1]!);
    signature = fromBase64(parts[2]!);
  } catch {
    throw fail("malformed_header", "Plaid-Verification is not a JWT");
  }
  if (header.alg !== "ES256" || typeof header.kid !== "string" || header.kid === "") {
    throw fail("malformed_header", "Plaid-Verification must be ES256 with a kid");
  }
  const key = await keys.getKey(header.kid);
  if (!key) throw fail("invalid_signature", "Unknown or expired Plaid key");
  const valid =
    signature.length === 64 &&
    (await crypto.subtle.verify(
      { name: "ECDSA", hash: "SHA-256" },
      key,
      signature,
      utf8(`${parts[0]}.${parts[1]}`),
    ));
  if (!valid) throw fail("invalid_signature", "Plaid signature does not verify");
  const nowSec = Math.floor(nowMs / 1000);
  if (typeof claims.iat !== "number") throw fail("invalid_signature", "Plaid token has no iat");
  if (claims.iat > nowSec + CLOCK_SKEW_SEC)
    throw fail("future_timestamp", "Plaid token iat is in the future");
  if (nowSec - claims.iat > MAX_AGE_SEC) throw fail("stale_timestamp", "Plaid token is too old");
  if (typeof claims.exp === "number" && claims.exp <= nowSec)
    throw fail("stale_timestamp", "Plaid token expired");
  const claimed = typeof claims.request_body_sha256 === "string" ? claims.request_body_sha256 : "";
  if (!timingSafeEqual(claimed, await sha256Hex(raw))) {
    throw fail("invalid_signature", "Plaid body hash does not match");
  }
}
