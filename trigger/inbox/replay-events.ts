import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { replayWebhookEvents } from "../../src/inbox/replay-webhook-events.ts";

/** Bulk replay: re-runs processing for stored events by provider, status and age (default unrouted + failed). */
export const inboxReplayEventsTask = schemaTask({
  id: "inbox-replay-events",
  schema: z.object({
    provider: z.string().optional(),
    status: z.enum(["received", "processing", "processed", "unrouted", "failed"]).optional(),
    receivedAfter: z.iso.datetime().optional(),
    limit: z.number().int().min(1).max(10_000).optional(),
  }),
  queue: { name: "inbox-replay", concurrencyLimit: 1 },
  retry: { maxAttempts: 2, minTimeoutInMs: 5_000, maxTimeoutInMs: 30_000, factor: 2 },
  run: async (filter) => replayWebhookEvents(await getDeps(), filter),
});
