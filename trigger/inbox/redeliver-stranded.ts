import { schedules } from "@trigger.dev/sdk";
import { getDeps } from "../../src/deps.ts";
import { redeliverStrandedEvents } from "../../src/inbox/redeliver-stranded-events.ts";

/**
 * Every 5 minutes: triggers stored webhook events still `received` after 2 minutes, whose
 * handler acknowledged them but whose deferred trigger failed or never ran (decision 031).
 */
export const inboxRedeliverStrandedTask = schedules.task({
  id: "inbox-redeliver-stranded",
  cron: { pattern: "*/5 * * * *", window: "0m" },
  queue: { name: "inbox-redeliver", concurrencyLimit: 1 },
  retry: { maxAttempts: 3, minTimeoutInMs: 5_000, maxTimeoutInMs: 60_000, factor: 2 },
  run: async () => redeliverStrandedEvents(await getDeps()),
});
