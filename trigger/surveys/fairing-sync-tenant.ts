import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { syncFairingResponses } from "../../src/surveys/sync-fairing-responses.ts";
import { FAIRING_RETRY, fairingSyncQueue } from "./fairing-sync-queue.ts";

/** Imports one tenant's new and edited Fairing responses since its cursor (fanned out hourly). */
export const fairingSyncTenantTask = schemaTask({
  id: "fairing-sync-tenant",
  schema: z.object({ tenantId: z.uuid() }),
  queue: fairingSyncQueue,
  retry: FAIRING_RETRY,
  run: async ({ tenantId }) => syncFairingResponses(await getDeps(), tenantId),
});
