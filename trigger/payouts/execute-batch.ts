import { metadata, schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { executeBatch } from "../../src/payouts/execute-batch.ts";
import { PAYOUT_RETRY, payoutBatchQueue } from "./payouts-queues.ts";

/** Fans an approved batch out: one item run per Stripe item, one PayPal batch; progress in metadata. */
export const payoutsExecuteBatchTask = schemaTask({
  id: "payouts-execute-batch",
  schema: z.object({ tenantId: z.uuid(), batchId: z.uuid() }),
  queue: payoutBatchQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, batchId }) =>
    executeBatch(await getDeps(), tenantId, batchId, ({ stripeItems, paypalItems }) => {
      metadata.set("batchId", batchId).set("stripeItems", stripeItems).set("paypalItems", paypalItems);
    }),
});
