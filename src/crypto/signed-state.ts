import { ValidationError } from "../errors.ts";
import { fromBase64, fromUtf8, toBase64Url, utf8 } from "./encoding.ts";
import { hmacSha256, timingSafeEqual } from "./hmac.ts";

export interface OAuthStatePayload {
  tenantId: string;
  provider: string;
  nonce: string;
  /** Unix seconds. */
  expiresAt: number;
  returnUrl?: string;
}

/** `base64url(json).base64url(hmac)`: tamper-evident, not secret (it travels through the browser). */
export async function signState(secret: string, payload: OAuthStatePayload): Promise<string> {
  const body = toBase64Url(utf8(JSON.stringify(payload)));
  const mac = toBase64Url(await hmacSha256(secret, body));
  return `${body}.${mac}`;
}

/** Verifies the signature and expiry; single use is enforced by the caller against the database. */
export async function verifyState(
  secret: string,
  state: string,
  now = Date.now(),
): Promise<OAuthStatePayload> {
  const [body, mac, extra] = state.split(".");
  if (!body || !mac || extra !== undefined) throw new ValidationError("OAuth state is malformed");
  const expected = toBase64Url(await hmacSha256(secret, body));
  if (!timingSafeEqual(mac, expected)) throw new ValidationError("OAuth state signature is invalid");
  let payload: OAuthStatePayload;
  try {
    payload = JSON.parse(fromUtf8(fromBase64(body))) as OAuthStatePayload;
  } catch {
    throw new ValidationError("OAuth state is malformed");
  }
  if (typeof payload.expiresAt !== "number" || payload.expiresAt * 1000 < now) {
    throw new ValidationError("OAuth state has expired: start the connection again");
  }
  return payload;
}
