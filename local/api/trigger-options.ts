import { parsePacket } from "@trigger.dev/core/v3";
import { z } from "zod";
import { dueAt, parseDurationMs } from "../duration.ts";
import type { NewRun } from "../executor/run-store.ts";
import type { TaskCatalog } from "../executor/task-catalog.ts";
import { LIMITS } from "./limits.ts";

const machines = ["micro", "small-1x", "small-2x", "medium-1x", "medium-2x", "large-1x", "large-2x"] as const;

/**
 * Every trigger option the SDK 4.8 sends. Each is honoured, accepted as meaningless locally
 * (version pinning: there is one version), or refused with a 400 naming it; an option this list
 * does not know is refused too, so nothing is ever dropped silently.
 */
const options = z.strictObject({
  idempotencyKey: z.string().max(2048).optional(),
  idempotencyKeyTTL: z.string().optional(),
  idempotencyKeyOptions: z.unknown().optional(),
  concurrencyKey: z.string().max(256).optional(),
  queue: z.strictObject({ name: z.string().min(1), concurrencyLimit: z.number().optional() }).optional(),
  tags: z.union([z.string(), z.array(z.string())]).optional(),
  delay: z.union([z.string(), z.coerce.date()]).optional(),
  ttl: z.union([z.string(), z.number().int().nonnegative()]).optional(),
  metadata: z.unknown().optional(),
  metadataType: z.string().optional(),
  maxAttempts: z.number().int().positive().optional(),
  priority: z.number().nonnegative().optional(),
  machine: z.enum(machines).optional(),
  payloadType: z.string().optional(),
  payloadSize: z.number().int().nonnegative().optional(),
  parentRunId: z.string().optional(),
  parentBatch: z.string().optional(),
  resumeParentOnCompletion: z.boolean().optional(),
  test: z.boolean().optional(),
  lockToVersion: z.string().optional(),
  externalDeploymentId: z.unknown().optional(),
  // Known but not available locally: refused by name below.
  debounce: z.unknown().optional(),
  region: z.unknown().optional(),
  gates: z.unknown().optional(),
  concurrency: z.unknown().optional(),
  maxDuration: z.unknown().optional(),
  bulkActionId: z.unknown().optional(),
});
export type TriggerOptions = z.infer<typeof options>;

const REFUSED: Record<string, string> = {
  debounce: "debounce is not supported by the local runtime",
  region: "region is not supported by the local runtime (one machine)",
  gates: "gates are not supported by the local runtime",
  concurrency:
    "trigger-time concurrency limits are not supported by the local runtime: declare them on the task",
  maxDuration: "a per-run maxDuration is not supported by the local runtime: set it on the task",
  bulkActionId: "bulk actions are not supported by the local runtime",
  resumeParentOnCompletion: "triggerAndWait/batchTriggerAndWait are not supported by the local runtime",
};

export class TriggerOptionError extends Error {}

/** The run options as a zod-validated object, or a refusal naming the option. */
export function parseTriggerOptions(raw: unknown): TriggerOptions {
  const parsed = options.optional().safeParse(raw ?? undefined);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const keys = issue.code === "unrecognized_keys" ? issue.keys.join(", ") : issue.path.join(".");
    throw new TriggerOptionError(
      issue.code === "unrecognized_keys"
        ? `Unsupported trigger option(s): ${keys}`
        : `Invalid trigger option ${keys}: ${issue.message}`,
    );
  }
  const opts = parsed.data ?? {};
  for (const [name, reason] of Object.entries(REFUSED)) {
    const value = (opts as Record<string, unknown>)[name];
    if (value !== undefined && value !== false)
      throw new TriggerOptionError(`Trigger option ${name}: ${reason}`);
  }
  return opts;
}

function ttlMsOf(ttl: string | number | undefined): number | undefined {
  if (ttl === undefined) return undefined;
  if (typeof ttl === "number") return ttl * 1000;
  const ms = parseDurationMs(ttl);
  if (ms === undefined) throw new TriggerOptionError(`Trigger option ttl: invalid duration "${ttl}"`);
  return ms;
}

async function metadataOf(opts: TriggerOptions): Promise<Record<string, unknown> | undefined> {
  if (opts.metadata === undefined) return undefined;
  const value =
    typeof opts.metadata === "string" && opts.metadataType
      ? await parsePacket({ data: opts.metadata, dataType: opts.metadataType })
      : opts.metadata;
  if (value === null || typeof value !== "object" || Array.isArray(value)) {
    throw new TriggerOptionError("Trigger option metadata: must be an object");
  }
  if (Buffer.byteLength(JSON.stringify(value)) > LIMITS.metadataBytes) {
    throw new TriggerOptionError(`Trigger option metadata: exceeds ${LIMITS.metadataBytes} bytes`);
  }
  return JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
}

/** A queue named at trigger time must be declared (`queue()` or a task's queue), as on the platform. */
function checkQueue(name: string | undefined, catalog: TaskCatalog): void {
  if (name === undefined || catalog.hasQueue(name)) return;
  throw new TriggerOptionError(
    `Trigger option queue: "${name}" is not declared; declare it with queue({ name }) in trigger/`,
  );
}

/** A validated trigger (payload + options) as a new run. */
export async function toNewRun(
  taskId: string,
  payload: unknown,
  opts: TriggerOptions,
  catalog: TaskCatalog,
): Promise<NewRun> {
  if (payload !== undefined && payload !== null && typeof payload !== "string") {
    throw new TriggerOptionError("payload must be a serialized packet string");
  }
  const keyTtl = opts.idempotencyKeyTTL ? parseDurationMs(opts.idempotencyKeyTTL) : undefined;
  if (opts.idempotencyKeyTTL && keyTtl === undefined)
    throw new TriggerOptionError(
      `Trigger option idempotencyKeyTTL: invalid duration "${opts.idempotencyKeyTTL}"`,
    );
  const runAt = dueAt(opts.delay);
  if (opts.delay && !runAt)
    throw new TriggerOptionError(`Trigger option delay: invalid "${String(opts.delay)}"`);
  const tags = opts.tags === undefined ? [] : Array.isArray(opts.tags) ? opts.tags : [opts.tags];
  if (tags.length > LIMITS.tags)
    throw new TriggerOptionError(`Trigger option tags: at most ${LIMITS.tags} tags`);
  if (tags.some((t) => t.length === 0 || t.length > LIMITS.tagLength))
    throw new TriggerOptionError(`Trigger option tags: each tag is 1-${LIMITS.tagLength} characters`);
  checkQueue(opts.queue?.name, catalog);
  const ttlMs = ttlMsOf(opts.ttl);
  return {
    taskId,
    payload: (payload as string | null) ?? undefined,
    payloadType: opts.payloadType ?? "application/json",
    idempotencyKey: opts.idempotencyKey,
    idempotencyKeyTtlMs: keyTtl,
    concurrencyKey: opts.concurrencyKey,
    queue: opts.queue?.name,
    tags,
    maxAttempts: opts.maxAttempts,
    runAt,
    parentRunId: opts.parentRunId,
    priority: opts.priority,
    machine: opts.machine,
    ttl: opts.ttl === undefined ? undefined : String(opts.ttl),
    ttlMs,
    metadata: await metadataOf(opts),
  };
}
