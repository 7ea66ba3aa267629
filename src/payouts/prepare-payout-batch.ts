import type { Deps } from "../build-deps.ts";
import { type PreparedBatch, prepareBatch } from "./prepare-batch.ts";
import { startBatchExecution } from "./start-batch-execution.ts";

/** Prepares a tenant's batch and, when its policy approves it without a person, starts paying it. */
export async function preparePayoutBatch(
  deps: Deps,
  tenantId: string,
  options: { currency?: string } = {},
): Promise<PreparedBatch & { runId?: string }> {
  const prepared = await prepareBatch(deps, tenantId, options);
  if (prepared.outcome !== "prepared" || prepared.status !== "approved") return prepared;
  return { ...prepared, runId: await startBatchExecution(deps, tenantId, prepared.batchId!) };
}
