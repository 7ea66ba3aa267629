import Stripe from "stripe";
import { ProviderError } from "../errors.ts";
import { parseRetryAfter } from "./retry-after.ts";

/**
 * What a failed money-moving Stripe call means for the payment:
 * - `retry`: nothing was decided (rate limit, network, 5xx, platform balance short); try again
 *   with the same idempotency key.
 * - `payee_rejected`: Stripe refused this destination (account missing, not payable): no money
 *   moved, the reservation can be released.
 * - `review`: the idempotency key was used with other parameters; whether money moved is unknown.
 * - `halt`: our side is broken (key, permissions, request shape); stop without deciding the item.
 */
export type StripeFailureKind = "retry" | "payee_rejected" | "review" | "halt";

const PAYEE_CODES = new Set([
  "resource_missing",
  "account_invalid",
  "insufficient_capabilities_for_transfer",
  "transfers_not_allowed",
  "payouts_not_allowed",
  "account_closed",
]);

export function classifyStripeError(err: unknown): { kind: StripeFailureKind; error: ProviderError } {
  const wrap = (kind: StripeFailureKind, code: string, retryable: boolean, retryAfterMs?: number) => ({
    kind,
    error: new ProviderError("stripe", code, err instanceof Error ? err.message : String(err), {
      retryable,
      ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
      cause: err,
      context:
        err instanceof Stripe.errors.StripeError ? { status: err.statusCode, stripeCode: err.code } : {},
    }),
  });
  if (!(err instanceof Stripe.errors.StripeError)) return wrap("retry", "network_error", true);
  if (err instanceof Stripe.errors.StripeIdempotencyError)
    return wrap("review", "idempotency_conflict", false);
  if (err instanceof Stripe.errors.StripeRateLimitError) {
    return wrap(
      "retry",
      "rate_limited",
      true,
      parseRetryAfter(err.headers?.["retry-after"] ?? null) ?? 1_000,
    );
  }
  if (err instanceof Stripe.errors.StripeConnectionError || err instanceof Stripe.errors.StripeAPIError) {
    return wrap("retry", "provider_unavailable", true);
  }
  if ((err.statusCode ?? 0) >= 500) return wrap("retry", "provider_unavailable", true);
  if (err.code === "balance_insufficient" || err.code === "insufficient_funds") {
    return wrap("retry", "platform_balance_insufficient", true, 60 * 60_000);
  }
  if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code && PAYEE_CODES.has(err.code)) {
    return wrap("payee_rejected", err.code, false);
  }
  return wrap("halt", err.code ?? err.type ?? "stripe_error", false);
}
