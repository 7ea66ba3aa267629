import { schedules } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { sweepPayouts } from "../../src/payouts/sweep-payouts.ts";

/**
 * Mondays at 14:00 UTC: one `payouts-prepare-batch` run per tenant and currency. `window: "0m"`:
 * a late sweep is skipped rather than started hours late; the balances simply wait a week.
 */
export const payoutsSweepTask = schedules.task({
  id: "payouts-sweep",
  cron: { pattern: "0 14 * * 1", window: "0m" },
  queue: { name: "payouts-sweep", concurrencyLimit: 1 },
  retry: { maxAttempts: 3, minTimeoutInMs: 5_000, maxTimeoutInMs: 60_000, factor: 2 },
  run: async (payload) => sweepPayouts(await getDeps(), payload.timestamp),
});
