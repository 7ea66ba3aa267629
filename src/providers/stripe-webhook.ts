import { hmacSha256Hex, timingSafeEqual } from "../crypto/hmac.ts";
import { WebhookVerificationError } from "./webhook-verification-error.ts";

/** Stripe's default tolerance, in whole seconds as its SDK counts it. */
export const STRIPE_TOLERANCE_SEC = 300;

/** `STRIPE_WEBHOOK_SECRET` may list several secrets (platform and Connect endpoints, or a roll). */
export function parseStripeSecrets(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/**
 * Verifies `Stripe-Signature: t=<unix s>,v1=<hex>[,v1=…]` over the bytes received: HMAC-SHA256 of
 * `${t}.` + body keyed with a whole `whsec_…` string; any `v1` matching any of `secrets` passes.
 * Age is counted as Stripe's SDK does (`floor(now) − t`, so exactly 300 s old still passes);
 * unlike the SDK, a timestamp more than 300 s ahead is refused too. Web Crypto only (edge-safe).
 */
export async function verifyStripeWebhook(
  raw: Uint8Array,
  header: string | null,
  secrets: readonly string[],
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
  const age = Math.floor(nowMs / 1000) - Number(timestamp);
  if (age > STRIPE_TOLERANCE_SEC)
    throw new WebhookVerificationError("stripe", "stale_timestamp", "Webhook timestamp is too old");
  if (-age > STRIPE_TOLERANCE_SEC)
    throw new WebhookVerificationError("stripe", "future_timestamp", "Webhook timestamp is in the future");
  for (const secret of secrets) {
    const expected = await hmacSha256Hex(secret, [`${timestamp}.`, raw]);
    if (signatures.some((candidate) => timingSafeEqual(candidate, expected))) return;
  }
  throw new WebhookVerificationError("stripe", "invalid_signature", "Stripe signature does not match");
}
