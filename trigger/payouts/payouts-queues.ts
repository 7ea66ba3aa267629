import { queue } from "@trigger.dev/sdk";

/**
 * Stripe item runs: at most 25 at once across tenants (Stripe allows about 100 writes/s live and
 * 25/s in test mode; each run makes one or two calls), each run keyed by its tenant.
 */
export const stripePayoutQueue = queue({ name: "payouts-stripe", concurrencyLimit: 25 });

/** Batch-level work (prepare, approve, execute, PayPal polling): one at a time per tenant key. */
export const payoutBatchQueue = queue({ name: "payouts-batch", concurrencyLimit: 10 });

/** Transient failures (429, 5xx, network) back off up to 10 minutes; Retry-After wins (init.ts). */
export const PAYOUT_RETRY = {
  maxAttempts: 8,
  minTimeoutInMs: 2_000,
  maxTimeoutInMs: 600_000,
  factor: 3,
  randomize: true,
};
