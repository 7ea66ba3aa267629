import { createHash, createHmac, randomBytes } from "node:crypto";
import { crc32 } from "node:zlib";
import { exportJWK, generateKeyPair, importJWK, type JWK, SignJWT } from "jose";

/** Signs like Stripe: `t=<s>,v1=<hex HMAC-SHA256 of "t.raw">`. */
export function signStripe(
  raw: string,
  secret: string,
  timestampSec = Math.floor(Date.now() / 1000),
): string {
  const v1 = createHmac("sha256", secret).update(`${timestampSec}.${raw}`).digest("hex");
  return `t=${timestampSec},v1=${v1}`;
}

/** Signs like Retell: `v=<ms>,d=<hex HMAC-SHA256 of raw + ms>` keyed with the API key. */
export function signRetell(raw: string, apiKey: string, timestampMs = Date.now()): string {
  return `v=${timestampMs},d=${createHmac("sha256", apiKey).update(`${raw}${timestampMs}`).digest("hex")}`;
}

/** Signs like Lob (community-sourced scheme): hex HMAC-SHA256 of `${timestamp}.${raw}`. */
export function signLob(raw: string, secret: string, timestampSec = Math.floor(Date.now() / 1000)) {
  return {
    "lob-signature": createHmac("sha256", secret).update(`${timestampSec}.${raw}`).digest("hex"),
    "lob-signature-timestamp": String(timestampSec),
  };
}

export interface PlaidSigner {
  kid: string;
  jwk: JWK;
  /** The private key, to hand the signer to another sandbox process (CLI `sandbox emit`). */
  privateJwk: JWK;
  /** A `Plaid-Verification` JWT for a body (issued now unless `iatSec` says otherwise). */
  sign(raw: string, options?: { iatSec?: number; bodyHash?: string; kid?: string }): Promise<string>;
}

/** An ES256 key pair standing in for Plaid's webhook signing key (new, or from a private JWK). */
export async function createPlaidSigner(from?: JWK): Promise<PlaidSigner> {
  let privateJwk: JWK;
  if (from) {
    privateJwk = from;
  } else {
    const pair = await generateKeyPair("ES256", { extractable: true });
    privateJwk = { ...(await exportJWK(pair.privateKey)), kid: randomBytes(8).toString("hex") };
  }
  const privateKey = await importJWK(privateJwk, "ES256");
  const kid = privateJwk.kid!;
  const { d: _private, ...publicPart } = privateJwk;
  const jwk = { ...publicPart, kid, alg: "ES256", use: "sig" };
  return {
    kid,
    jwk,
    privateJwk,
    sign: (raw, options = {}) =>
      new SignJWT({ request_body_sha256: options.bodyHash ?? createHash("sha256").update(raw).digest("hex") })
        .setProtectedHeader({ alg: "ES256", kid: options.kid ?? kid, typ: "JWT" })
        .setIssuedAt(options.iatSec ?? Math.floor(Date.now() / 1000))
        .sign(privateKey),
  };
}

/** The content PayPal signs (community sources): `id|time|webhookId|crc32(body)`. */
export function payPalSignedContent(id: string, time: string, webhookId: string, raw: string): string {
  return `${id}|${time}|${webhookId}|${crc32(raw) >>> 0}`;
}

/**
 * Headers of a PayPal delivery signed by the sandbox PayPal (HMAC stands in for PayPal's RSA
 * certificate: only the sandbox's verify endpoint checks it).
 */
export function signPayPal(
  raw: string,
  sandboxKey: string,
  webhookId: string,
  time = new Date().toISOString(),
) {
  const id = randomBytes(8).toString("hex");
  return {
    "paypal-transmission-id": id,
    "paypal-transmission-time": time,
    "paypal-transmission-sig": createHmac("sha256", sandboxKey)
      .update(payPalSignedContent(id, time, webhookId, raw))
      .digest("base64"),
    "paypal-cert-url": "https://api.sandbox.paypal.com/v1/notifications/certs/CERT-SANDBOX",
    "paypal-auth-algo": "SHA256withRSA",
  };
}
