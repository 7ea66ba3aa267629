import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { taskBatches } from "../db/local-runtime/schema.ts";
import { timingSafeEqual } from "../src/crypto/hmac.ts";
import type { Db } from "../src/db/types.ts";
import { jsonResponse } from "../src/ingress/json-response.ts";
import { dueAt, parseDurationMs } from "./duration.ts";
import type { Executor } from "./executor/executor.ts";
import { type NewRun, newId } from "./executor/run-store.ts";
import type { TaskCatalog } from "./executor/task-catalog.ts";

const options = z
  .object({
    idempotencyKey: z.string().max(2048).optional(),
    idempotencyKeyTTL: z.string().optional(),
    concurrencyKey: z.string().max(256).optional(),
    queue: z.object({ name: z.string() }).partial().optional(),
    tags: z.union([z.string(), z.array(z.string())]).optional(),
    delay: z.union([z.string(), z.coerce.date()]).optional(),
    maxAttempts: z.number().int().positive().optional(),
    payloadType: z.string().optional(),
    parentRunId: z.string().optional(),
  })
  .loose()
  .optional();

const triggerBody = z.object({ payload: z.unknown().optional(), options });
const createBatchBody = z.object({
  runCount: z.number().int().positive().max(1_000),
  taskIdentifiers: z.array(z.string()).optional(),
  idempotencyKey: z.string().max(2048).optional(),
  parentRunId: z.string().optional(),
});
const batchItem = z.object({
  index: z.number().int().nonnegative(),
  task: z.string(),
  payload: z.unknown(),
  options,
});

export interface TriggerApiDeps {
  db: Db;
  catalog: TaskCatalog;
  executor: Executor;
  secretKey: string;
}

function toNewRun(taskId: string, payload: unknown, opts: z.infer<typeof options>): NewRun | string {
  if (payload !== undefined && payload !== null && typeof payload !== "string") {
    return "payload must be a serialized packet string";
  }
  const ttl = opts?.idempotencyKeyTTL ? parseDurationMs(opts.idempotencyKeyTTL) : undefined;
  if (opts?.idempotencyKeyTTL && ttl === undefined)
    return `invalid idempotencyKeyTTL "${opts.idempotencyKeyTTL}"`;
  const runAt = dueAt(opts?.delay);
  if (opts?.delay && !runAt) return `invalid delay "${String(opts.delay)}"`;
  const tags = opts?.tags === undefined ? [] : Array.isArray(opts.tags) ? opts.tags : [opts.tags];
  if (tags.length > 10) return "at most 10 tags";
  return {
    taskId,
    payload: payload ?? undefined,
    payloadType: opts?.payloadType ?? "application/json",
    idempotencyKey: opts?.idempotencyKey,
    idempotencyKeyTtlMs: ttl,
    concurrencyKey: opts?.concurrencyKey,
    queue: opts?.queue?.name,
    tags,
    maxAttempts: opts?.maxAttempts,
    runAt,
    parentRunId: opts?.parentRunId,
  };
}

/**
 * A local stand-in for the Trigger.dev API endpoints the SDK calls to start runs, so unmodified
 * app code (`tasks.trigger`, `batchTrigger`) reaches the local executor through
 * `TRIGGER_API_URL`. Returns undefined for paths it does not serve.
 */
export async function handleTriggerApi(
  request: Request,
  deps: TriggerApiDeps,
): Promise<Response | undefined> {
  const { pathname } = new URL(request.url);
  const single = pathname.match(/^\/api\/v1\/tasks\/([^/]+)\/trigger$/);
  const items = pathname.match(/^\/api\/v3\/batches\/([^/]+)\/items$/);
  if (!single && !items && pathname !== "/api/v3/batches") return undefined;
  if (request.method !== "POST") return jsonResponse(405, { error: "Method not allowed" });
  const bearer = request.headers.get("authorization")?.replace(/^Bearer\s+/i, "") ?? "";
  if (!timingSafeEqual(bearer, deps.secretKey)) {
    return jsonResponse(401, { error: "Invalid API key: set TRIGGER_SECRET_KEY to the local runtime's key" });
  }
  if (single) {
    const taskId = decodeURIComponent(single[1]!);
    if (!deps.catalog.get(taskId))
      return jsonResponse(404, { error: `Task "${taskId}" is not defined in trigger/` });
    const body = triggerBody.safeParse(await request.json().catch(() => undefined));
    if (!body.success) return jsonResponse(400, { error: `Invalid trigger body: ${body.error.message}` });
    const run = toNewRun(taskId, body.data.payload, body.data.options);
    if (typeof run === "string") return jsonResponse(400, { error: run });
    const handle = await deps.executor.store.create(run);
    deps.executor.wake();
    return jsonResponse(200, handle);
  }
  if (!items) {
    const body = createBatchBody.safeParse(await request.json().catch(() => undefined));
    if (!body.success) return jsonResponse(400, { error: `Invalid batch: ${body.error.message}` });
    const unknown = (body.data.taskIdentifiers ?? []).filter((id) => !deps.catalog.get(id));
    if (unknown.length > 0) return jsonResponse(404, { error: `Unknown task(s): ${unknown.join(", ")}` });
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
  const batchId = decodeURIComponent(items[1]!);
  const [batch] = await deps.db.select().from(taskBatches).where(eq(taskBatches.id, batchId));
  if (!batch) return jsonResponse(404, { error: `No batch ${batchId}` });
  const lines = (await request.text()).split("\n").filter((line) => line.trim() !== "");
  const runs: NewRun[] = [];
  for (const line of lines) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      return jsonResponse(400, { error: "Batch items must be NDJSON" });
    }
    const item = batchItem.safeParse(parsed);
    if (!item.success) return jsonResponse(400, { error: `Invalid batch item: ${item.error.message}` });
    if (!deps.catalog.get(item.data.task))
      return jsonResponse(404, { error: `Task "${item.data.task}" is not defined` });
    const run = toNewRun(item.data.task, item.data.payload, item.data.options);
    if (typeof run === "string") return jsonResponse(400, { error: run });
    runs.push({
      ...run,
      batchId,
      batchIndex: item.data.index,
      parentRunId: run.parentRunId ?? batch.parentRunId ?? undefined,
    });
  }
  const created = await deps.executor.store.createMany(runs);
  deps.executor.wake();
  const deduplicated = created.filter((c) => c.isCached).length;
  return jsonResponse(200, {
    id: batchId,
    itemsAccepted: created.length - deduplicated,
    itemsDeduplicated: deduplicated,
    sealed: true,
  });
}
