import type { Deps } from "../build-deps.ts";
import { approveBatch } from "./approve-batch.ts";
import { startBatchExecution } from "./start-batch-execution.ts";

/**
 * What app code and the CLI call to approve a batch: records the approval (who, when), then
 * starts its execution. If starting fails the approval stands and the daily reconcile starts it.
 */
export async function approvePayoutBatch(deps: Deps, tenantId: string, batchId: string, actor: string) {
  const approval = await approveBatch(deps, tenantId, batchId, actor);
  const runId = await startBatchExecution(deps, tenantId, batchId);
  return { ...approval, runId };
}
