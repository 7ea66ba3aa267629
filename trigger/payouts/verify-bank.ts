import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { verifyPayeeBank } from "../../src/payouts/verify-payee-bank.ts";
import { payoutBatchQueue } from "./payouts-queues.ts";

/**
 * Verifies a payee's bank from Plaid Link's public token. Not retried: a public token is single
 * use, so a failed exchange needs a new Link session (the app asks the payee again).
 */
export const payoutsVerifyBankTask = schemaTask({
  id: "payouts-verify-bank",
  schema: z.object({
    tenantId: z.uuid(),
    payeeId: z.uuid(),
    publicToken: z.string().min(1),
    accountId: z.string().optional(),
  }),
  queue: payoutBatchQueue,
  retry: { maxAttempts: 1 },
  run: async ({ tenantId, ...input }) => verifyPayeeBank(await getDeps(), tenantId, input),
});
