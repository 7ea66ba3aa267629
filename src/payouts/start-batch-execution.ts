import type { Deps } from "../build-deps.ts";
import { PAYOUT_TASKS, payoutTags } from "./task-ids.ts";

/** Starts executing an approved batch (one run per batch: the key is the batch id). */
export async function startBatchExecution(
  deps: Pick<Deps, "jobs">,
  tenantId: string,
  batchId: string,
): Promise<string> {
  const handle = await deps.jobs.trigger(
    PAYOUT_TASKS.executeBatch,
    { tenantId, batchId },
    {
      idempotencyKey: `payouts-execute:${batchId}`,
      concurrencyKey: tenantId,
      tags: payoutTags(tenantId, batchId),
    },
  );
  return handle.id;
}
