import { hmacSha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { checkTimestamp, WebhookVerificationError } from "./webhook-verification-error.ts";

export const RETELL_TOLERANCE_MS = 300_000;

/**
 * Verifies `x-retell-signature: v=<unix ms>,d=<hex>`: HMAC-SHA256 of the body's bytes + `v` (no separator)
 * keyed with the tenant's Retell API key, rejected when more than 5 minutes off either way.
 */
export async function verifyRetellWebhook(
  raw: Uint8Array,
  header: string | null,
  apiKey: () => Promise<string>,
  nowMs = Date.now(),
): Promise<void> {
  if (!header)
    throw new WebhookVerificationError("retell", "missing_header", "Missing x-retell-signature header");
  const match = /^v=(\d+),d=([0-9a-f]+)$/i.exec(header.trim());
  if (!match)
    throw new WebhookVerificationError("retell", "malformed_header", "Malformed x-retell-signature header");
  const [, timestamp, digest] = match;
  checkTimestamp("retell", Number(timestamp), nowMs, RETELL_TOLERANCE_MS);
  // Only now, after the cheap checks, is the tenant's key looked up.
  const expected = await hmacSha256Hex(await apiKey(), [raw, timestamp!]);
  if (!timingSafeEqual(digest!.toLowerCase(), expected)) {
    throw new WebhookVerificationError("retell", "invalid_signature", "Retell signature does not match");
  }
}
