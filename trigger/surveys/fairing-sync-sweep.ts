import { schedules } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { sweepFairingSync } from "../../src/surveys/sweep-fairing-sync.ts";

/**
 * Hourly at minute 7: one `fairing-sync-tenant` run per tenant with a Fairing connection.
 * `window: "0m"`: a sweep that cannot start on time is skipped, never started late; the next
 * one is an hour away and each tenant's cursor makes the catch-up complete.
 */
export const fairingSyncSweepTask = schedules.task({
  id: "fairing-sync-sweep",
  cron: { pattern: "7 * * * *", window: "0m" },
  queue: { name: "fairing-sync-sweep", concurrencyLimit: 1 },
  retry: { maxAttempts: 3, minTimeoutInMs: 5_000, maxTimeoutInMs: 60_000, factor: 2 },
  run: async (payload) => sweepFairingSync(await getDeps(), payload.timestamp),
});
