import type { Deps } from "../build-deps.ts";
import { pollPayPalBatch } from "./poll-paypal-batch.ts";
import { PAYOUT_TASKS, payoutTags } from "./task-ids.ts";

/** Polls rounds, then hands over to the daily reconcile (PayPal can hold items for weeks). */
export const MAX_POLL_ROUNDS = 48;

/** One poll of a PayPal batch; while items are in flight, the next poll is scheduled (10 min later). */
export async function followPayPalBatch(deps: Deps, tenantId: string, batchId: string, round: number) {
  const result = await pollPayPalBatch(deps, tenantId, batchId);
  if (!result.settled && round < MAX_POLL_ROUNDS) {
    await deps.jobs.trigger(
      PAYOUT_TASKS.pollPayPal,
      { tenantId, batchId, round: round + 1 },
      {
        idempotencyKey: `payouts-poll:${batchId}:${round + 1}`,
        delay: "10m",
        tags: payoutTags(tenantId, batchId),
      },
    );
  }
  return { ...result, round };
}
