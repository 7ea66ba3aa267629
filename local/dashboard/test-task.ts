import { stringifyIO } from "@trigger.dev/core/v3";
import { declarativeSchedule, isScheduledTask, schedulePayload } from "../executor/schedule-payload.ts";
import type { LoadedTask } from "../executor/task-catalog.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import type { TestFormValues } from "./task-page.ts";
import { triggerThroughApi } from "./trigger-through-api.ts";

export type TestOutcome = { runId: string } | { error: string; values: TestFormValues };

const field = (form: FormData, name: string) => {
  const value = form.get(name);
  return typeof value === "string" ? value : "";
};

/** The form's payload as the value the task receives (a scheduled task gets its schedule payload). */
function payloadOf(task: LoadedTask, values: TestFormValues): unknown {
  if (isScheduledTask(task)) {
    const timestamp = new Date(values.timestamp ?? "");
    if (!values.timestamp?.trim() || Number.isNaN(timestamp.getTime()))
      throw new Error("The schedule timestamp must be an ISO 8601 date, like 2026-01-31T03:17:00Z");
    return schedulePayload(declarativeSchedule(task), timestamp);
  }
  if (!values.payload?.trim()) return undefined;
  try {
    return JSON.parse(values.payload);
  } catch (err) {
    throw new Error(`The payload is not valid JSON: ${(err as Error).message}`);
  }
}

/**
 * The Test button: the form becomes the same request the SDK's `tasks.trigger` sends (a
 * serialized packet plus options) and goes through the runtime's trigger API, so validation,
 * limits, idempotency and delays are exactly the SDK's.
 */
export async function testTask(
  deps: DashboardDeps,
  task: LoadedTask,
  form: FormData,
  origin: string,
): Promise<TestOutcome> {
  const values: TestFormValues = {
    payload: field(form, "payload"),
    timestamp: field(form, "timestamp"),
    idempotencyKey: field(form, "idempotencyKey").trim(),
    tags: field(form, "tags"),
    delay: field(form, "delay").trim(),
  };
  let packet: { data?: unknown; dataType: string };
  try {
    packet = await stringifyIO(payloadOf(task, values));
  } catch (err) {
    return { error: (err as Error).message, values };
  }
  const tags = (values.tags ?? "")
    .split(",")
    .map((t) => t.trim())
    .filter(Boolean);
  const result = await triggerThroughApi(deps, origin, task.id, packet, {
    ...(values.idempotencyKey ? { idempotencyKey: values.idempotencyKey } : {}),
    ...(tags.length ? { tags } : {}),
    ...(values.delay ? { delay: values.delay } : {}),
  });
  return "runId" in result ? result : { error: result.error, values };
}
