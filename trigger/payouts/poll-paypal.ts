import { metadata, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { followPayPalBatch } from "../../src/payouts/follow-paypal-batch.ts";
import { PAYOUT_RETRY, payoutBatchQueue } from "./payouts-queues.ts";

/** Reads a PayPal batch's status and settles our items; schedules the next poll while in flight. */
export const payoutsPollPayPalTask = schemaTask({
  id: "payouts-poll-paypal",
  schema: z.object({ tenantId: z.uuid(), batchId: z.uuid(), round: z.number().int().min(1) }),
  queue: payoutBatchQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, batchId, round }) => {
    const result = await followPayPalBatch(await getDeps(), tenantId, batchId, round);
    metadata.set("round", round).set("settled", result.settled).set("moved", result.moved);
    return result;
  },
});
