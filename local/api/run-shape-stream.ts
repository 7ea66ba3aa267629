import { createHash } from "node:crypto";
import { apiStatusOf } from "../executor/run-query.ts";
import type { RunRow } from "../executor/run-store.ts";
import type { TriggerApiDeps } from "../trigger-api.ts";

/** How long a live request waits for the run to change before answering "still up to date". */
const LIVE_WAIT_MS = 20_000;
const POLL_MS = 150;

/** The platform's internal run status, which the SDK's realtime shape carries (it maps it back). */
const RAW_STATUS: Record<string, string> = {
  QUEUED: "PENDING",
  DELAYED: "DELAYED",
  EXECUTING: "EXECUTING",
  COMPLETED: "COMPLETED_SUCCESSFULLY",
  FAILED: "COMPLETED_WITH_ERRORS",
  CANCELED: "CANCELED",
  EXPIRED: "EXPIRED",
};

/** Electric shape timestamps: UTC without the zone suffix (the SDK appends the "Z"). */
const shapeDate = (date: Date | null | undefined) => (date ? date.toISOString().slice(0, -1) : null);

/** A run as a row of the `TaskRun` shape the SDK's `SubscribeRunRawShape` parses. */
export function runShapeRow(row: RunRow): Record<string, unknown> {
  const status = apiStatusOf(row);
  const finished = ["COMPLETED", "FAILED", "CANCELED", "EXPIRED"].includes(status);
  const error = row.error as { name?: string; message?: string; stack?: string } | null;
  return {
    id: row.id,
    friendlyId: row.id,
    taskIdentifier: row.taskId,
    status: RAW_STATUS[status] ?? "PENDING",
    createdAt: shapeDate(row.createdAt),
    updatedAt: shapeDate(row.updatedAt),
    startedAt: shapeDate(row.startedAt),
    delayUntil: status === "DELAYED" ? shapeDate(row.delayedUntil) : null,
    queuedAt: shapeDate(row.createdAt),
    expiredAt: status === "EXPIRED" ? shapeDate(row.completedAt) : null,
    completedAt: finished ? shapeDate(row.completedAt ?? row.updatedAt) : null,
    idempotencyKey: row.idempotencyKey,
    number: 0,
    isTest: false,
    usageDurationMs:
      row.startedAt && row.completedAt ? row.completedAt.getTime() - row.startedAt.getTime() : 0,
    costInCents: 0,
    baseCostInCents: 0,
    ttl: row.ttl,
    payload: row.payload,
    payloadType: row.payloadType,
    metadata: row.metadata ? JSON.stringify(row.metadata) : null,
    metadataType: row.metadata ? "application/json" : null,
    output: status === "COMPLETED" && row.output !== null ? JSON.stringify(row.output) : null,
    outputType: status === "COMPLETED" && row.output !== null ? "application/json" : null,
    runTags: row.tags,
    error:
      error && (status === "FAILED" || status === "EXPIRED")
        ? {
            type: "BUILT_IN_ERROR",
            name: error.name ?? "Error",
            message: error.message ?? "Unknown error",
            stackTrace: error.stack ?? "",
          }
        : null,
    realtimeStreams: [],
  };
}

const versionOf = (shape: Record<string, unknown>) =>
  `0_${createHash("sha256").update(JSON.stringify(shape)).digest("hex").slice(0, 16)}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * `runs.subscribeToRun`: the run as an Electric shape of one row, the protocol the SDK's
 * realtime client speaks. The first request (`offset=-1`) answers the row and "up-to-date";
 * live requests (`live=true`) long-poll the run store until the row differs from the client's
 * offset (each offset is a hash of the row) or LIVE_WAIT_MS passes. The SDK ends the
 * subscription once the row carries `completedAt`.
 */
export async function runShapeResponse(request: Request, deps: TriggerApiDeps, runId: string) {
  const params = new URL(request.url).searchParams;
  const offset = params.get("offset") ?? "-1";
  const live = params.get("live") === "true";
  let row = await deps.executor.store.get(runId);
  if (!row) return undefined;
  let shape = runShapeRow(row);
  let version = versionOf(shape);
  const deadline = Date.now() + LIVE_WAIT_MS;
  while (live && version === offset && Date.now() < deadline && !request.signal.aborted) {
    await sleep(POLL_MS);
    row = (await deps.executor.store.get(runId)) ?? row;
    shape = runShapeRow(row);
    version = versionOf(shape);
  }
  const messages: unknown[] = [];
  if (version !== offset) {
    messages.push({
      key: `"public"."TaskRun"/"${runId}"`,
      value: shape,
      headers: { operation: offset === "-1" ? "insert" : "update" },
    });
  }
  messages.push({ headers: { control: "up-to-date" } });
  return new Response(JSON.stringify(messages), {
    status: 200,
    headers: {
      "content-type": "application/json",
      "cache-control": "no-store",
      "electric-handle": `run-${runId}`,
      "electric-offset": version,
      "electric-schema": "{}",
      "electric-cursor": String(Date.now()),
      "electric-up-to-date": "",
    },
  });
}
