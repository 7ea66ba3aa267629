import { queue } from "@trigger.dev/sdk";

/**
 * Sync and backfill runs share this queue with the tenant as concurrency key: one Fairing run per
 * store at a time, because the rate limit (~100 requests/minute) is per store and one run's
 * client already paces itself under it. Different tenants run side by side.
 */
export const fairingSyncQueue = queue({ name: "fairing-sync", concurrencyLimit: 1 });

/** Transient failures back off up to 10 minutes; a 429's Retry-After wins (trigger/init.ts). */
export const FAIRING_RETRY = {
  maxAttempts: 6,
  minTimeoutInMs: 10_000,
  maxTimeoutInMs: 600_000,
  factor: 3,
  randomize: true,
};
