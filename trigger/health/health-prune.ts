import { metadata, schedules } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { healthRetentionDays, pruneHealthChecks } from "../../src/health/prune-health-checks.ts";

/** Daily at 03:17: deletes health history older than HEALTH_RETENTION_DAYS (30) in batches. */
export const healthPruneTask = schedules.task({
  id: "health-prune",
  cron: { pattern: "17 3 * * *", window: "1h" },
  queue: { name: "health-prune", concurrencyLimit: 1 },
  retry: { maxAttempts: 3, minTimeoutInMs: 60_000, maxTimeoutInMs: 600_000, factor: 2 },
  run: async () => {
    const deps = await getDeps();
    const result = await pruneHealthChecks(deps.db, { retentionDays: healthRetentionDays(deps.env) });
    metadata.set("processed", result.checks);
    return result;
  },
});
