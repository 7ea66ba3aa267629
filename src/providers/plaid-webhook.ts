import { decodeProtectedHeader, errors, importJWK, type JWK, jwtVerify } from "jose";
import { sha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { UnavailableError } from "../errors.ts";
import { WebhookVerificationError } from "./webhook-verification-error.ts";

export type PlaidVerificationKey = JWK & { expired_at?: number | null };

export interface PlaidKeySource {
  /** The P-256 JWK for a key id, or undefined when Plaid does not know it. */
  getKey(kid: string): Promise<PlaidVerificationKey | undefined>;
}

/**
 * Plaid's verification keys from `/webhook_verification_key/get`, cached by `kid`. Unknown ids are
 * fetched (Plaid rotates keys), but a miss is remembered for a minute so forged ids cannot make
 * every request call Plaid.
 */
export function createPlaidKeySource(config: {
  apiUrl: string;
  clientId: string;
  secret: string;
}): PlaidKeySource {
  const cache = new Map<string, { key: PlaidVerificationKey | undefined; until: number }>();
  return {
    async getKey(kid) {
      const hit = cache.get(kid);
      if (hit && hit.until > Date.now()) return hit.key;
      let response: Response;
      try {
        response = await fetch(`${config.apiUrl.replace(/\/+$/, "")}/webhook_verification_key/get`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ client_id: config.clientId, secret: config.secret, key_id: kid }),
          signal: AbortSignal.timeout(5_000),
        });
      } catch (err) {
        throw new UnavailableError("Could not fetch Plaid's webhook verification key", { cause: err });
      }
      if (response.status === 400 || response.status === 404) {
        await response.body?.cancel();
        cache.set(kid, { key: undefined, until: Date.now() + 60_000 });
        return undefined;
      }
      if (!response.ok)
        throw new UnavailableError(`Plaid answered ${response.status} for its verification key`);
      const { key } = (await response.json()) as { key: PlaidVerificationKey };
      cache.set(kid, { key, until: Date.now() + 24 * 3600_000 });
      return key;
    },
  };
}

/**
 * Verifies `Plaid-Verification`: an ES256 JWT whose key is fetched by `kid`, issued at most five
 * minutes ago (and not in the future), whose `request_body_sha256` matches the raw body.
 */
export async function verifyPlaidWebhook(
  raw: Uint8Array<ArrayBuffer>,
  token: string | null,
  keys: PlaidKeySource,
  nowMs = Date.now(),
): Promise<void> {
  if (!token)
    throw new WebhookVerificationError("plaid", "missing_header", "Missing Plaid-Verification header");
  let header: ReturnType<typeof decodeProtectedHeader>;
  try {
    header = decodeProtectedHeader(token);
  } catch {
    throw new WebhookVerificationError("plaid", "malformed_header", "Plaid-Verification is not a JWT");
  }
  if (header.alg !== "ES256" || !header.kid) {
    throw new WebhookVerificationError(
      "plaid",
      "malformed_header",
      "Plaid-Verification must be ES256 with a kid",
    );
  }
  const jwk = await keys.getKey(header.kid);
  if (!jwk || jwk.expired_at)
    throw new WebhookVerificationError("plaid", "invalid_signature", "Unknown or expired Plaid key");
  let claims: Record<string, unknown>;
  try {
    const key = await importJWK({ kty: jwk.kty, crv: jwk.crv, x: jwk.x, y: jwk.y } as JWK, "ES256");
    ({ payload: claims } = await jwtVerify(token, key, {
      algorithms: ["ES256"],
      maxTokenAge: "5m",
      currentDate: new Date(nowMs),
    }));
  } catch (err) {
    if (err instanceof errors.JWTClaimValidationFailed && err.claim === "iat") {
      const future = err.reason === "check_failed" && /past/.test(err.message);
      throw new WebhookVerificationError(
        "plaid",
        future ? "future_timestamp" : "stale_timestamp",
        "Plaid token iat out of range",
      );
    }
    if (err instanceof errors.JWTExpired)
      throw new WebhookVerificationError("plaid", "stale_timestamp", "Plaid token is too old");
    throw new WebhookVerificationError("plaid", "invalid_signature", "Plaid signature does not verify");
  }
  const claimed = typeof claims.request_body_sha256 === "string" ? claims.request_body_sha256 : "";
  if (!timingSafeEqual(claimed, await sha256Hex(raw))) {
    throw new WebhookVerificationError("plaid", "invalid_signature", "Plaid body hash does not match");
  }
}
