import { metadata, queue, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { checkConnections } from "../../src/health/check-connections.ts";
import { HEALTH_CHUNK_SIZE, sweptProviders } from "../../src/health/sweep-health-checks.ts";

// One queue per provider: one provider's outage or rate limit never delays the others' checks.
export const healthCheckQueues = sweptProviders.map((id) =>
  queue({ name: `health-check-${id}`, concurrencyLimit: 5 }),
);

/** Probes a chunk of one provider's connections and records every result in one statement. */
export const healthCheckConnectionsTask = schemaTask({
  id: "health-check-connections",
  schema: z.object({ provider: z.string(), connectionIds: z.array(z.uuid()).max(HEALTH_CHUNK_SIZE) }),
  queue: { name: "health-check", concurrencyLimit: 50 },
  // A failed chunk is retried once; the next sweep (5 minutes) checks it again anyway.
  retry: { maxAttempts: 2, minTimeoutInMs: 5_000, maxTimeoutInMs: 30_000, factor: 2 },
  run: async ({ connectionIds }) =>
    checkConnections(await getDeps(), connectionIds, {
      onProgress: (processed) => {
        metadata.set("processed", processed).set("total", connectionIds.length);
      },
    }),
});
