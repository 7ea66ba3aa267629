import { hmacSha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { checkTimestamp, WebhookVerificationError } from "./webhook-verification-error.ts";

export const STRIPE_TOLERANCE_MS = 300_000;

/**
 * Verifies `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]`: HMAC-SHA256 of `${t}.${raw}` keyed with
 * the whole `whsec_…` string. Any matching v1 passes. Unlike Stripe's SDK, timestamps too far in
 * the future are rejected too. Web Crypto only (edge-safe).
 */
export async function verifyStripeWebhook(
  raw: string,
  header: string | null,
  secret: string,
  nowMs = Date.now(),
): Promise<void> {
  if (!header)
    throw new WebhookVerificationError("stripe", "missing_header", "Missing Stripe-Signature header");
  const parts = header.split(",").map((part) => part.trim().split("="));
  const timestamp = parts.find(([k]) => k === "t")?.[1];
  const signatures = parts.filter(([k, v]) => k === "v1" && v).map(([, v]) => v!);
  if (!timestamp || !/^\d+$/.test(timestamp) || signatures.length === 0) {
    throw new WebhookVerificationError("stripe", "malformed_header", "Malformed Stripe-Signature header");
  }
  checkTimestamp("stripe", Number(timestamp) * 1000, nowMs, STRIPE_TOLERANCE_MS);
  const expected = await hmacSha256Hex(secret, `${timestamp}.${raw}`);
  if (!signatures.some((candidate) => timingSafeEqual(candidate, expected))) {
    throw new WebhookVerificationError("stripe", "invalid_signature", "Stripe signature does not match");
  }
}
