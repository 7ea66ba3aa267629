import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { preparePayoutBatch } from "../../src/payouts/prepare-payout-batch.ts";
import { PAYOUT_RETRY, payoutBatchQueue } from "./payouts-queues.ts";

/** Prepares a tenant's batch (reservations in one transaction); starts it when policy approves it. */
export const payoutsPrepareBatchTask = schemaTask({
  id: "payouts-prepare-batch",
  schema: z.object({ tenantId: z.uuid(), currency: z.string().length(3).optional() }),
  queue: payoutBatchQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, currency }) =>
    preparePayoutBatch(await getDeps(), tenantId, currency ? { currency } : {}),
});
