import { metadata, schedules } from "@trigger.dev/sdk";
import { runTokenRefreshSweep } from "../src/connections/run-token-refresh-sweep.ts";
import { getDeps } from "../src/deps.ts";

/**
 * Every 10 minutes: refresh, in batches, every connection due within 15 minutes (expiring soon,
 * or idle and due a keep-alive). One sweep at a time per environment, so its per-provider cap
 * holds across all tenants: `concurrency: { total: 1 }` caps every run of the task, whatever
 * `concurrencyKey` or `queue` a manual trigger passes (the queue's own limit applies per key
 * when a run has one); the queue keeps the same limit for the local runtime. `window: "0m"`: a
 * sweep that cannot start on time is skipped rather than started up to an hour late.
 */
export const tokenRefreshSweepTask = schedules.task({
  id: "token-refresh-sweep",
  cron: { pattern: "*/10 * * * *", window: "0m" },
  queue: { name: "token-refresh-sweep", concurrencyLimit: 1 },
  concurrency: { total: 1 },
  retry: { maxAttempts: 2, minTimeoutInMs: 5_000, maxTimeoutInMs: 30_000, factor: 2 },
  run: async () =>
    runTokenRefreshSweep(await getDeps(), {
      onProgress: ({ claimed, refreshed }) => {
        metadata.set("claimed", claimed).set("refreshed", refreshed);
      },
    }),
});
