import { ScheduleWindow } from "@trigger.dev/core/v3";
import { Cron } from "croner";
import { asc, eq, sql } from "drizzle-orm";
import { z } from "zod";
import { taskSchedules } from "../../db/local-runtime/schema.ts";
import { jsonResponse } from "../../src/ingress/json-response.ts";
import { type CronRunner, describeSchedule, imperativeSchedule, type ScheduleRow } from "../executor/cron.ts";
import { newId } from "../executor/run-store.ts";
import type { TriggerApiDeps } from "../trigger-api.ts";
import { ENVELOPE_BYTES } from "./limits.ts";
import { readCappedText } from "./read-capped-text.ts";

export interface SchedulesApiDeps extends TriggerApiDeps {
  cron: CronRunner;
}

const refuse = (status: number, error: string) => jsonResponse(status, { error });

const scheduleBody = z.object({
  task: z.string().min(1),
  cron: z.string().min(1),
  deduplicationKey: z.string().min(1).max(512),
  externalId: z.string().max(512).optional(),
  timezone: z.string().optional(),
  window: z.string().optional(),
});

/** The SDK's schedule object. */
function scheduleObject(info: ReturnType<typeof describeSchedule>) {
  return {
    id: info.id,
    type: info.type,
    task: info.taskId,
    active: info.active,
    deduplicationKey: info.deduplicationKey,
    externalId: info.externalId,
    generator: { type: "CRON", expression: info.cron, description: info.cron },
    timezone: info.timezone,
    ...(info.window ? { window: info.window } : {}),
    nextRun: info.nextRunAt,
    nextRunEffectiveAt: info.nextRunEffectiveAt,
    environments: [{ id: "local", type: "DEVELOPMENT", userName: null }],
  };
}

const objectOf = (row: ScheduleRow) =>
  scheduleObject(describeSchedule(row.taskId, imperativeSchedule(row), row.active, row.deduplicationKey));

/** A create/update body checked the way the platform checks it: known task, valid cron, zone and window. */
function validate(deps: SchedulesApiDeps, body: z.infer<typeof scheduleBody>): string | undefined {
  const task = deps.catalog.get(body.task);
  if (!task) return `Task "${body.task}" is not defined in trigger/`;
  if (task.manifest.triggerSource !== "schedule") return `Task "${body.task}" is not a schedules.task`;
  try {
    new Cron(body.cron, { timezone: body.timezone ?? "UTC" });
  } catch (err) {
    return `Invalid cron or timezone: ${(err as Error).message}`;
  }
  if (body.window !== undefined && !ScheduleWindow.safeParse(body.window).success) {
    return `Invalid window "${body.window}": a whole duration such as "30m" or "2h", or a percentage such as "30%"`;
  }
  return undefined;
}

async function upsert(deps: SchedulesApiDeps, request: Request, existing?: ScheduleRow): Promise<Response> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readCappedText(request, ENVELOPE_BYTES));
  } catch {
    return refuse(400, "Body must be JSON");
  }
  const body = (existing ? scheduleBody.omit({ deduplicationKey: true }) : scheduleBody).safeParse(parsed);
  if (!body.success)
    return refuse(400, `Invalid schedule: ${body.error.issues[0]?.path.join(".")} is missing or invalid`);
  const data = { deduplicationKey: existing?.deduplicationKey ?? "", ...body.data };
  const problem = validate(deps, data);
  if (problem) return refuse(400, problem);
  const values = {
    taskId: data.task,
    cron: data.cron,
    timezone: data.timezone ?? "UTC",
    externalId: data.externalId ?? null,
    window: data.window ?? null,
    updatedAt: new Date(),
  };
  const [row] = existing
    ? await deps.db.update(taskSchedules).set(values).where(eq(taskSchedules.id, existing.id)).returning()
    : // The deduplication key makes a second create an update, as on the platform.
      await deps.db
        .insert(taskSchedules)
        .values({ id: newId("sched"), deduplicationKey: data.deduplicationKey, ...values })
        .onConflictDoUpdate({ target: taskSchedules.deduplicationKey, set: values })
        .returning();
  await deps.cron.reload();
  return jsonResponse(200, objectOf(row!));
}

async function list(deps: SchedulesApiDeps, params: URLSearchParams): Promise<Response> {
  const page = Number(params.get("page") ?? 1);
  const perPage = Number(params.get("perPage") ?? 10);
  if (!Number.isInteger(page) || page < 1) return refuse(400, "page must be a positive integer");
  if (!Number.isInteger(perPage) || perPage < 1 || perPage > 100) return refuse(400, "perPage must be 1-100");
  const declarative = deps.cron.list().map(scheduleObject);
  const rows = await deps.db
    .select()
    .from(taskSchedules)
    .orderBy(asc(taskSchedules.createdAt), asc(taskSchedules.id));
  const all = [...declarative, ...rows.map(objectOf)];
  return jsonResponse(200, {
    data: all.slice((page - 1) * perPage, page * perPage),
    pagination: {
      currentPage: page,
      totalPages: Math.max(1, Math.ceil(all.length / perPage)),
      count: all.length,
    },
  });
}

/** Trigger.dev's schedules API (`schedules.*`): declarative schedules listed, imperative ones stored. */
export async function handleSchedulesApi(
  request: Request,
  deps: SchedulesApiDeps,
): Promise<Response | undefined> {
  const url = new URL(request.url);
  if (url.pathname === "/api/v1/schedules") {
    if (request.method === "GET") return list(deps, url.searchParams);
    if (request.method === "POST") return upsert(deps, request);
    return refuse(405, "Method not allowed");
  }
  const match = url.pathname.match(/^\/api\/v1\/schedules\/([^/]+)(?:\/(activate|deactivate))?$/);
  if (!match) return undefined;
  const id = decodeURIComponent(match[1]!);
  const declarative = deps.cron.list().find((s) => s.id === id);
  if (declarative) {
    if (request.method === "GET" && !match[2]) return jsonResponse(200, scheduleObject(declarative));
    return refuse(400, `Schedule ${id} is declared in code (DECLARATIVE): change the task's cron instead`);
  }
  const [row] = await deps.db.select().from(taskSchedules).where(eq(taskSchedules.id, id));
  if (!row) return refuse(404, `No schedule ${id}`);
  if (match[2]) {
    if (request.method !== "POST") return refuse(405, "Method not allowed");
    const [updated] = await deps.db
      .update(taskSchedules)
      .set({ active: match[2] === "activate", updatedAt: sql`now()` })
      .where(eq(taskSchedules.id, id))
      .returning();
    await deps.cron.reload();
    return jsonResponse(200, objectOf(updated!));
  }
  if (request.method === "GET") return jsonResponse(200, objectOf(row));
  if (request.method === "PUT") return upsert(deps, request, row);
  if (request.method === "DELETE") {
    await deps.db.delete(taskSchedules).where(eq(taskSchedules.id, id));
    await deps.cron.reload();
    return jsonResponse(200, { id });
  }
  return refuse(405, "Method not allowed");
}
