import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { rejectBatch } from "../../src/payouts/reject-batch.ts";
import { PAYOUT_RETRY, payoutBatchQueue } from "./payouts-queues.ts";

/** Records who rejected a batch, cancels it and releases every reservation. */
export const payoutsRejectBatchTask = schemaTask({
  id: "payouts-reject-batch",
  schema: z.object({
    tenantId: z.uuid(),
    batchId: z.uuid(),
    actor: z.string().min(1).max(200),
    note: z.string().max(500).optional(),
  }),
  queue: payoutBatchQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, batchId, actor, note }) =>
    rejectBatch(await getDeps(), tenantId, batchId, actor, note),
});
