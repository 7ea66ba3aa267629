import { metadata, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { backfillFairingResponses } from "../../src/surveys/backfill-fairing-responses.ts";
import { FAIRING_RETRY, fairingSyncQueue } from "./fairing-sync-queue.ts";

/**
 * Imports a tenant's whole Fairing history in chunks (each run continues in a new one), with
 * progress in run metadata: responses processed and pages read in the pass so far.
 */
export const fairingBackfillTask = schemaTask({
  id: "fairing-backfill",
  schema: z.object({ tenantId: z.uuid() }),
  queue: fairingSyncQueue,
  retry: FAIRING_RETRY,
  run: async ({ tenantId }) =>
    backfillFairingResponses(await getDeps(), tenantId, {
      onProgress: ({ passRows, passPages, inserted, updated }) => {
        metadata
          .set("processed", passRows)
          .set("pages", passPages)
          .set("inserted", inserted)
          .set("updated", updated);
      },
    }),
});
