import { metadata, schedules } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { runHealthSweep } from "../../src/health/run-health-sweep.ts";

/**
 * Every 5 minutes: one `health-check-connections` run per chunk of due connections, then the
 * dead-man heartbeat. `window: "0m"`: a sweep that cannot start on time is skipped, never run
 * late; the next one is 5 minutes away and checks whatever is due by then.
 */
export const healthSweepTask = schedules.task({
  id: "health-sweep",
  cron: { pattern: "*/5 * * * *", window: "0m" },
  queue: { name: "health-sweep", concurrencyLimit: 1 },
  retry: { maxAttempts: 2, minTimeoutInMs: 5_000, maxTimeoutInMs: 30_000, factor: 2 },
  run: async (payload) =>
    runHealthSweep(await getDeps(), {
      sweepId: payload.timestamp.toISOString(),
      onProgress: ({ processed, total }) => {
        metadata.set("processed", processed).set("total", total);
      },
    }),
});
