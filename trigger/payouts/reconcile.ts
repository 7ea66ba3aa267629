import { schedules } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { reconcilePayouts } from "../../src/payouts/reconcile-payouts.ts";

/**
 * Daily at 05:17 UTC: compares the last week's items with Stripe and PayPal, repairs what the
 * providers prove, reports mismatches, starts approved batches that never started.
 * `window: "0m"`: never started late; tomorrow's run covers the same week.
 */
export const payoutsReconcileTask = schedules.task({
  id: "payouts-reconcile",
  cron: { pattern: "17 5 * * *", window: "0m" },
  queue: { name: "payouts-reconcile", concurrencyLimit: 1 },
  retry: { maxAttempts: 3, minTimeoutInMs: 10_000, maxTimeoutInMs: 300_000, factor: 3 },
  run: async () => {
    const report = await reconcilePayouts(await getDeps());
    return { ...report, mismatches: report.mismatches.length };
  },
});
