import { queue, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { refreshConnectionToken } from "../src/connections/refresh-connection-token.ts";
import { getDeps } from "../src/deps.ts";
import { catalog } from "../src/providers/catalog.ts";

// One queue per refreshable provider, so one provider's outage or rate limit cannot starve the others.
export const tokenRefreshQueues = catalog
  .filter((entry) => entry.refresh !== "never_expires" || entry.keepAliveDays)
  .map((entry) => queue({ name: `token-refresh-${entry.id}`, concurrencyLimit: 25 }));

/** Refreshes one connection's token (rotation-safe, under its tenant); for on-demand callers. */
export const tokenRefreshConnectionTask = schemaTask({
  id: "token-refresh-connection",
  schema: z.object({ connectionId: z.uuid(), tenantId: z.uuid() }),
  queue: { name: "token-refresh", concurrencyLimit: 50 },
  // Transient provider failures back off up to 5 minutes; Retry-After wins (trigger/init.ts).
  retry: { maxAttempts: 5, minTimeoutInMs: 2_000, maxTimeoutInMs: 300_000, factor: 3, randomize: true },
  run: async ({ connectionId, tenantId }) =>
    refreshConnectionToken(await getDeps(), { id: connectionId, tenantId }),
});
