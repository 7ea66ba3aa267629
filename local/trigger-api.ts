import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { taskBatches } from "../db/local-runtime/schema.ts";
import type { Db } from "../src/db/types.ts";
import { jsonResponse } from "../src/ingress/json-response.ts";
import { PayloadTooLargeError } from "../src/ingress/read-capped-body.ts";
import { ENVELOPE_BYTES, LIMITS } from "./api/limits.ts";
import { readNdjsonLines } from "./api/ndjson-lines.ts";
import { readCappedText } from "./api/read-capped-text.ts";
import { parseTriggerOptions, TriggerOptionError, toNewRun } from "./api/trigger-options.ts";
import type { Executor } from "./executor/executor.ts";
import { type NewRun, newId } from "./executor/run-store.ts";
import type { TaskCatalog } from "./executor/task-catalog.ts";

const createBatchBody = z.object({
  runCount: z.number().int().positive().max(LIMITS.batchItems),
  taskIdentifiers: z.array(z.string()).optional(),
  idempotencyKey: z.string().max(2048).optional(),
  parentRunId: z.string().optional(),
  resumeParentOnCompletion: z.boolean().optional(),
});
const batchItem = z.object({
  index: z.number().int().nonnegative(),
  task: z.string(),
  payload: z.unknown(),
  options: z.unknown().optional(),
});

export interface TriggerApiDeps {
  db: Db;
  catalog: TaskCatalog;
  executor: Executor;
}

const refuse = (status: number, error: string) => jsonResponse(status, { error });

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function payloadTooLarge(limit: number, what: string) {
  return refuse(413, `${what} exceeds ${limit} bytes (Trigger.dev's limit); pass ids, not data`);
}

async function triggerOne(request: Request, taskId: string, deps: TriggerApiDeps): Promise<Response> {
  if (!deps.catalog.get(taskId)) return refuse(404, `Task "${taskId}" is not defined in trigger/`);
  const text = await readCappedText(request, LIMITS.triggerPayloadBytes + ENVELOPE_BYTES);
  const body = z
    .object({ payload: z.unknown().optional(), options: z.unknown().optional() })
    .safeParse(parseJson(text));
  if (!body.success) return refuse(400, "Invalid trigger body: expected JSON { payload, options }");
  const payload = body.data.payload;
  if (typeof payload === "string" && Buffer.byteLength(payload) > LIMITS.triggerPayloadBytes) {
    return payloadTooLarge(LIMITS.triggerPayloadBytes, "The payload");
  }
  const run = await toNewRun(taskId, payload, parseTriggerOptions(body.data.options), deps.catalog);
  const handle = await deps.executor.store.create(run);
  deps.executor.wakeSoon();
  return jsonResponse(200, handle);
}

async function createBatch(request: Request, deps: TriggerApiDeps): Promise<Response> {
  const body = createBatchBody.safeParse(parseJson(await readCappedText(request, ENVELOPE_BYTES)));
  if (!body.success) return refuse(400, `Invalid batch: runCount must be 1-${LIMITS.batchItems}`);
  if (body.data.resumeParentOnCompletion) {
    return refuse(400, "batchTriggerAndWait is not supported by the local runtime");
  }
  const unknown = (body.data.taskIdentifiers ?? []).filter((id) => !deps.catalog.get(id));
  if (unknown.length > 0) return refuse(404, `Unknown task(s): ${unknown.join(", ")}`);
  const id = newId("batch");
  const [row] = await deps.db
    .insert(taskBatches)
    .values({
      id,
      runCount: body.data.runCount,
      idempotencyKey: body.data.idempotencyKey ?? null,
      parentRunId: body.data.parentRunId ?? null,
    })
    .onConflictDoUpdate({
      target: taskBatches.idempotencyKey,
      set: { idempotencyKey: sql`excluded.idempotency_key` },
    })
    .returning();
  return jsonResponse(200, { id: row!.id, runCount: row!.runCount, isCached: row!.id !== id });
}

/** Streams the NDJSON items of a batch: each item capped, never more items than declared. */
async function addBatchItems(request: Request, batchId: string, deps: TriggerApiDeps): Promise<Response> {
  const [batch] = await deps.db.select().from(taskBatches).where(eq(taskBatches.id, batchId));
  if (!batch) return refuse(404, `No batch ${batchId}`);
  const runs: NewRun[] = [];
  const indexes = new Set<number>();
  for await (const line of readNdjsonLines(request, LIMITS.batchItemPayloadBytes + ENVELOPE_BYTES)) {
    const item = batchItem.safeParse(parseJson(line));
    if (!item.success)
      return refuse(400, "Invalid batch item: expected NDJSON { index, task, payload, options }");
    const { index, task, payload } = item.data;
    if (index >= batch.runCount || indexes.has(index) || runs.length >= batch.runCount) {
      return refuse(
        400,
        `Batch ${batchId} declared ${batch.runCount} item(s); item index ${index} does not fit`,
      );
    }
    indexes.add(index);
    if (!deps.catalog.get(task)) return refuse(404, `Task "${task}" is not defined`);
    if (typeof payload === "string" && Buffer.byteLength(payload) > LIMITS.batchItemPayloadBytes) {
      return payloadTooLarge(LIMITS.batchItemPayloadBytes, `Batch item ${index}'s payload`);
    }
    const run = await toNewRun(task, payload, parseTriggerOptions(item.data.options), deps.catalog);
    runs.push({
      ...run,
      batchId,
      batchIndex: index,
      parentRunId: run.parentRunId ?? batch.parentRunId ?? undefined,
    });
  }
  const created = await deps.executor.store.createMany(runs);
  const [counted] = await deps.db
    .update(taskBatches)
    // Deduplicated items count as received: they resolve to runs of an earlier batch.
    .set({ itemsReceived: sql`${taskBatches.itemsReceived} + ${runs.length}` })
    .where(eq(taskBatches.id, batchId))
    .returning();
  deps.executor.wakeSoon();
  const deduplicated = created.filter((c) => c.isCached).length;
  return jsonResponse(200, {
    id: batchId,
    itemsAccepted: created.length - deduplicated,
    itemsDeduplicated: deduplicated,
    sealed: (counted?.itemsReceived ?? 0) >= batch.runCount,
  });
}

/**
 * A local stand-in for the Trigger.dev endpoints the SDK calls to start runs, so unmodified app
 * code (`tasks.trigger`, `batchTrigger`) reaches the local executor through `TRIGGER_API_URL`.
 * Requests are already authenticated. Returns undefined for paths it does not serve.
 */
export async function handleTriggerApi(
  request: Request,
  deps: TriggerApiDeps,
): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  const single = pathname.match(/^\/api\/v1\/tasks\/([^/]+)\/trigger$/);
  const items = pathname.match(/^\/api\/v3\/batches\/([^/]+)\/items$/);
  const packets = /^\/api\/v[12]\/packets\//.test(pathname);
  if (!single && !items && !packets && pathname !== "/api/v3/batches") return undefined;
  if (request.method !== "POST" && !packets) return refuse(405, "Method not allowed");
  try {
    if (packets) {
      return payloadTooLarge(LIMITS.offloadBytes - 1, "A payload the SDK offloads to object storage");
    }
    if (single) return await triggerOne(request, decodeURIComponent(single[1]!), deps);
    if (items) return await addBatchItems(request, decodeURIComponent(items[1]!), deps);
    return await createBatch(request, deps);
  } catch (err) {
    if (err instanceof TriggerOptionError) return refuse(400, err.message);
    if (err instanceof PayloadTooLargeError) return refuse(413, `${err.message} (Trigger.dev's limit)`);
    throw err;
  }
}
