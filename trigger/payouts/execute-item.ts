import { schemaTask } from "@trigger.dev/sdk";
import { z } from "zod";
import { getDeps } from "../../src/deps.ts";
import { executeStripeItem } from "../../src/payouts/execute-stripe-item.ts";
import { PAYOUT_RETRY, stripePayoutQueue } from "./payouts-queues.ts";

/** Pays one Stripe Connect item exactly once (idempotency key and transfer group from the item id). */
export const payoutsExecuteItemTask = schemaTask({
  id: "payouts-execute-item",
  schema: z.object({ tenantId: z.uuid(), itemId: z.uuid(), batchId: z.uuid().optional() }),
  queue: stripePayoutQueue,
  retry: PAYOUT_RETRY,
  run: async ({ tenantId, itemId }) => executeStripeItem(await getDeps(), tenantId, itemId),
});
