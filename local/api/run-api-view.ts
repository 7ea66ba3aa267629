import { parsePacket } from "@trigger.dev/core/v3";
import { apiStatusOf } from "../executor/run-query.ts";
import type { RunRow } from "../executor/run-store.ts";

const FINISHED = new Set(["COMPLETED", "FAILED", "CANCELED", "EXPIRED"]);

/** The fields Trigger.dev's run API returns for every run (`CommonRunFields`). */
export function commonRunFields(row: RunRow) {
  const status = apiStatusOf(row);
  const finishedAt = row.completedAt ?? undefined;
  return {
    id: row.id,
    status,
    taskIdentifier: row.taskId,
    ...(row.idempotencyKey ? { idempotencyKey: row.idempotencyKey } : {}),
    version: "local",
    isQueued: status === "QUEUED" || status === "DELAYED",
    isExecuting: status === "EXECUTING",
    isWaiting: false,
    isCompleted: FINISHED.has(status),
    isSuccess: status === "COMPLETED",
    isFailed: status === "FAILED" || status === "EXPIRED",
    isCancelled: status === "CANCELED",
    isTest: false,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    ...(row.startedAt ? { startedAt: row.startedAt.toISOString() } : {}),
    ...(finishedAt ? { finishedAt: finishedAt.toISOString() } : {}),
    ...(row.delayedUntil ? { delayedUntil: row.delayedUntil.toISOString() } : {}),
    ...(row.ttl ? { ttl: row.ttl } : {}),
    ...(status === "EXPIRED" && finishedAt ? { expiredAt: finishedAt.toISOString() } : {}),
    tags: row.tags,
    costInCents: 0,
    baseCostInCents: 0,
    durationMs: row.startedAt && finishedAt ? finishedAt.getTime() - row.startedAt.getTime() : 0,
    ...(row.metadata ? { metadata: row.metadata } : {}),
    ...(row.scheduleId ? { taskKind: "SCHEDULED" } : {}),
  };
}

/** An item of `runs.list`. */
export function listRunItem(row: RunRow) {
  return { ...commonRunFields(row), env: { id: "local", name: "local" } };
}

function relatedRun(row: RunRow) {
  return {
    ...commonRunFields(row),
    depth: row.parentRunId ? 1 : 0,
    triggerFunction: row.batchId ? ("batchTrigger" as const) : ("trigger" as const),
    ...(row.batchId ? { batchId: row.batchId } : {}),
  };
}

/** The stored payload as the value app code passed (packets decoded, dates as ISO strings). */
async function payloadValue(row: RunRow): Promise<unknown> {
  if (!row.payload) return undefined;
  const value = await parsePacket({ data: row.payload, dataType: row.payloadType });
  return value === undefined ? undefined : JSON.parse(JSON.stringify(value));
}

/** `runs.retrieve`: the run with payload, output, error and its related runs. */
export async function retrieveRunBody(row: RunRow, related: { parent?: RunRow; children: RunRow[] }) {
  const error = row.error as { name?: string; message?: string } | null;
  const status = apiStatusOf(row);
  return {
    ...relatedRun(row),
    payload: await payloadValue(row),
    ...(row.output !== null && status === "COMPLETED" ? { output: row.output } : {}),
    ...(error && status !== "COMPLETED" && status !== "QUEUED"
      ? { error: { message: error.message ?? "Unknown error", name: error.name } }
      : {}),
    relatedRuns: {
      ...(related.parent ? { parent: relatedRun(related.parent), root: relatedRun(related.parent) } : {}),
      children: related.children.map(relatedRun),
    },
    attemptCount: row.attempts,
  };
}
