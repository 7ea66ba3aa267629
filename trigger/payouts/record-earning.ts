import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { recordEarning } from "../../src/payouts/record-earning.ts";
import { PAYOUT_RETRY, payoutBatchQueue } from "./payouts-queues.ts";

/** App code records an earning or adjustment; its idempotency key makes a repeat harmless. */
export const payoutsRecordEarningTask = schemaTask({
  id: "payouts-record-earning",
  schema: z.object({
    tenantId: z.uuid(),
    payeeId: z.uuid(),
    amountMinor: z.number().int(),
    currency: z.string().length(3),
    idempotencyKey: z.string().min(1).max(200),
    kind: z.enum(["earning", "adjustment"]).optional(),
    memo: z.string().max(500).optional(),
  }),
  queue: payoutBatchQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, ...input }) => recordEarning(await getDeps(), tenantId, input),
});
