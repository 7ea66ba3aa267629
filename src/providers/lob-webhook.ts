import { hmacSha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { checkTimestamp, WebhookVerificationError } from "./webhook-verification-error.ts";

export const LOB_TOLERANCE_MS = 300_000;

/**
 * Lob's webhook signature scheme. COMMUNITY-SOURCED, NOT CONFIRMED against Lob's docs or a real
 * sandbox: headers `Lob-Signature` (hex HMAC-SHA256) and `Lob-Signature-Timestamp`, signed content
 * `${timestamp}.` + the body's bytes, the secret used as UTF-8. The timestamp unit is unverified, so values
 * above 1e12 are read as milliseconds and others as seconds. Everything scheme-specific is in
 * this one function: re-check it against a real Lob account before relying on it.
 */
export async function verifyLobWebhook(
  raw: Uint8Array,
  headers: { signature: string | null; timestamp: string | null },
  secret: () => Promise<string>,
  nowMs = Date.now(),
): Promise<void> {
  if (!headers.signature || !headers.timestamp) {
    throw new WebhookVerificationError(
      "lob",
      "missing_header",
      "Missing Lob-Signature or Lob-Signature-Timestamp header",
    );
  }
  if (!/^\d+$/.test(headers.timestamp) || !/^[0-9a-f]{64}$/i.test(headers.signature)) {
    throw new WebhookVerificationError("lob", "malformed_header", "Malformed Lob signature headers");
  }
  const value = Number(headers.timestamp);
  checkTimestamp("lob", value > 1e12 ? value : value * 1000, nowMs, LOB_TOLERANCE_MS);
  // Only now, after the cheap checks, is the tenant's secret looked up.
  const expected = await hmacSha256Hex(await secret(), [`${headers.timestamp}.`, raw]);
  if (!timingSafeEqual(headers.signature.toLowerCase(), expected)) {
    throw new WebhookVerificationError("lob", "invalid_signature", "Lob signature does not match");
  }
}
