import type { TaskRunContext } from "@trigger.dev/core/v3";
import type { RunRow } from "./run-store.ts";
import type { LoadedTask } from "./task-catalog.ts";

/** The `ctx` a local run sees: the same shape Trigger.dev passes, with local placeholders. */
export function buildTaskRunContext(row: RunRow, task: LoadedTask, maxAttempts: number): TaskRunContext {
  const now = new Date();
  return {
    task: { id: task.id, filePath: task.manifest.filePath, exportName: task.manifest.entryPoint },
    attempt: { number: row.attempts, startedAt: now },
    run: {
      id: row.id,
      tags: row.tags,
      isTest: false,
      isReplay: false,
      createdAt: row.createdAt,
      startedAt: row.startedAt ?? now,
      ...(row.idempotencyKey ? { idempotencyKey: row.idempotencyKey } : {}),
      maxAttempts,
      durationMs: 0,
      costInCents: 0,
      baseCostInCents: 0,
      priority: row.priority,
    },
    // One local machine; the preset asked for is reported, as the platform would run it.
    machine: { name: row.machine ?? "small-1x", cpu: 1, memory: 1, centsPerMs: 0 },
    queue: { name: row.queue ?? task.manifest.queue?.name ?? `task/${task.id}`, id: "local-queue" },
    environment: { id: "local", slug: "local", type: "DEVELOPMENT" },
    organization: { id: "local", slug: "local", name: "Local" },
    project: { id: "local", ref: "local", slug: "switchboard", name: "Switchboard" },
  } as unknown as TaskRunContext;
}
