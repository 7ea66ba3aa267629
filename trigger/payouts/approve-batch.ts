import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { approvePayoutBatch } from "../../src/payouts/approve-payout-batch.ts";
import { PAYOUT_RETRY, payoutBatchQueue } from "./payouts-queues.ts";

/** Records who approved a batch and starts paying it (a second approval is refused). */
export const payoutsApproveBatchTask = schemaTask({
  id: "payouts-approve-batch",
  schema: z.object({ tenantId: z.uuid(), batchId: z.uuid(), actor: z.string().min(1).max(200) }),
  queue: payoutBatchQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, batchId, actor }) => approvePayoutBatch(await getDeps(), tenantId, batchId, actor),
});
