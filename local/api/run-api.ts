import { eq } from "drizzle-orm";
import { z } from "zod";
import { taskBatches, taskRuns } from "../../db/local-runtime/schema.ts";
import { jsonResponse } from "../../src/ingress/json-response.ts";
import { dueAt } from "../duration.ts";
import { apiStatusOf, listRuns } from "../executor/run-query.ts";
import type { RunRow } from "../executor/run-store.ts";
import type { TriggerApiDeps } from "../trigger-api.ts";
import { ENVELOPE_BYTES, LIMITS } from "./limits.ts";
import { parseListRunsQuery, QueryError } from "./list-runs-query.ts";
import { readCappedText } from "./read-capped-text.ts";
import { listRunItem, retrieveRunBody } from "./run-api-view.ts";
import { runShapeResponse } from "./run-shape-stream.ts";
import { parseTriggerOptions, TriggerOptionError, toNewRun } from "./trigger-options.ts";

const refuse = (status: number, error: string) => jsonResponse(status, { error });

async function jsonBody(request: Request, limit = ENVELOPE_BYTES): Promise<unknown> {
  const text = await readCappedText(request, limit);
  if (!text.trim()) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new QueryError("Body must be JSON");
  }
}

async function retrieve(deps: TriggerApiDeps, row: RunRow): Promise<Response> {
  const [parent] = row.parentRunId
    ? await deps.db.select().from(taskRuns).where(eq(taskRuns.id, row.parentRunId))
    : [];
  const children = await deps.db.select().from(taskRuns).where(eq(taskRuns.parentRunId, row.id)).limit(100);
  return jsonResponse(200, await retrieveRunBody(row, { ...(parent ? { parent } : {}), children }));
}

const replayBody = z
  .object({ payload: z.unknown().optional(), payloadType: z.string().optional() })
  .catchall(z.unknown())
  .optional();

/** `runs.replay`: a new run of the same task with the same payload and options (overridable). */
async function replay(deps: TriggerApiDeps, row: RunRow, request: Request): Promise<Response> {
  const body = replayBody.safeParse(await jsonBody(request, LIMITS.triggerPayloadBytes + ENVELOPE_BYTES));
  if (!body.success) return refuse(400, "Invalid replay body");
  const { payload, payloadType, queue, version, ...overrides } = body.data ?? {};
  if (version !== undefined) return refuse(400, "Replay option version: the local runtime has one version");
  const options = parseTriggerOptions({
    tags: row.tags,
    ...(row.concurrencyKey ? { concurrencyKey: row.concurrencyKey } : {}),
    ...(row.queue ? { queue: { name: row.queue } } : {}),
    ...(row.machine ? { machine: row.machine } : {}),
    ...(row.maxAttempts ? { maxAttempts: row.maxAttempts } : {}),
    ...(row.metadata ? { metadata: row.metadata } : {}),
    ...overrides,
    ...(typeof queue === "string" ? { queue: { name: queue } } : {}),
    payloadType: payload === undefined ? row.payloadType : (payloadType ?? "application/json"),
  });
  const packet =
    payload === undefined ? row.payload : typeof payload === "string" ? payload : JSON.stringify(payload);
  const run = await toNewRun(row.taskId, packet ?? undefined, options, deps.catalog);
  const handle = await deps.executor.store.create(run);
  deps.executor.wake();
  return jsonResponse(200, { id: handle.id });
}

async function reschedule(deps: TriggerApiDeps, row: RunRow, request: Request): Promise<Response> {
  const body = z.object({ delay: z.union([z.string(), z.coerce.date()]) }).safeParse(await jsonBody(request));
  const runAt = body.success ? dueAt(body.data.delay) : undefined;
  if (!runAt) return refuse(400, 'Reschedule needs a delay: a duration ("5m") or a date');
  const updated = await deps.executor.store.reschedule(row.id, runAt);
  if (!updated)
    return refuse(400, `Run ${row.id} is ${apiStatusOf(row)}: only DELAYED runs can be rescheduled`);
  return retrieve(deps, updated);
}

async function retrieveBatch(deps: TriggerApiDeps, batchId: string): Promise<Response> {
  const [batch] = await deps.db.select().from(taskBatches).where(eq(taskBatches.id, batchId));
  if (!batch) return refuse(404, `No batch ${batchId}`);
  const runs = await deps.db
    .select({ id: taskRuns.id, status: taskRuns.status })
    .from(taskRuns)
    .where(eq(taskRuns.batchId, batchId))
    .orderBy(taskRuns.batchIndex);
  const sealed = batch.itemsReceived >= batch.runCount;
  const done = sealed && runs.every((r) => ["completed", "failed", "canceled", "expired"].includes(r.status));
  const failed = runs.some((r) => r.status !== "completed");
  return jsonResponse(200, {
    id: batch.id,
    status: !sealed ? "PENDING" : done ? (failed ? "PARTIAL_FAILED" : "COMPLETED") : "PROCESSING",
    ...(batch.idempotencyKey ? { idempotencyKey: batch.idempotencyKey } : {}),
    createdAt: batch.createdAt.toISOString(),
    updatedAt: batch.createdAt.toISOString(),
    runCount: batch.runCount,
    runs: runs.map((r) => r.id),
    processing: { ...(sealed ? { completedAt: batch.createdAt.toISOString() } : {}), errors: [] },
  });
}

/**
 * Trigger.dev's run API for app code (`runs.*`, `batch.retrieve`) on the local run store.
 * Requests are already authenticated. Returns undefined for paths it does not serve.
 */
export async function handleRunApi(request: Request, deps: TriggerApiDeps): Promise<Response | undefined> {
  const url = new URL(request.url);
  const { pathname } = url;
  try {
    const shape = pathname.match(/^\/realtime\/v1\/runs\/([^/]+)$/);
    if (shape) {
      if (request.method !== "GET") return refuse(405, "Method not allowed");
      const id = decodeURIComponent(shape[1]!);
      return (await runShapeResponse(request, deps, id)) ?? refuse(404, `No run ${id}`);
    }
    if (pathname.startsWith("/realtime/v1/")) {
      return refuse(
        400,
        "Only runs.subscribeToRun is served by the local runtime's realtime API: use runs.list or runs.poll for the others",
      );
    }
    if (pathname === "/api/v1/runs") {
      if (request.method !== "GET") return refuse(405, "Method not allowed");
      const page = await listRuns(deps.db, parseListRunsQuery(url.searchParams));
      return jsonResponse(200, {
        data: page.rows.map(listRunItem),
        pagination: {
          ...(page.next ? { next: page.next } : {}),
          ...(page.previous ? { previous: page.previous } : {}),
        },
      });
    }
    const batch = pathname.match(/^\/api\/v2\/batches\/([^/]+)$/);
    if (batch) {
      return request.method === "GET"
        ? retrieveBatch(deps, decodeURIComponent(batch[1]!))
        : refuse(405, "Method not allowed");
    }
    const match =
      pathname.match(/^\/api\/v3\/runs\/([^/]+)()$/) ??
      pathname.match(/^\/api\/v2\/runs\/([^/]+)\/(cancel)$/) ??
      pathname.match(/^\/api\/v1\/runs\/([^/]+)\/(replay|reschedule)$/);
    if (!match) return undefined;
    const [, rawId, action] = match;
    if ((action === "" && request.method !== "GET") || (action !== "" && request.method !== "POST")) {
      return refuse(405, "Method not allowed");
    }
    const id = decodeURIComponent(rawId!);
    const row = await deps.executor.store.get(id);
    if (!row) return refuse(404, `No run ${id}`);
    if (action === "cancel") {
      await deps.executor.cancel(id);
      return jsonResponse(200, { id });
    }
    if (action === "replay") return await replay(deps, row, request);
    if (action === "reschedule") return await reschedule(deps, row, request);
    return await retrieve(deps, row);
  } catch (err) {
    if (err instanceof QueryError || err instanceof TriggerOptionError) return refuse(400, err.message);
    throw err;
  }
}
