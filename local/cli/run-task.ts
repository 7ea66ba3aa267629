import { stringifyIO } from "@trigger.dev/core/v3";
import { ValidationError } from "../../src/errors.ts";
import { runView } from "../executor/run-store.ts";
import { type Runtime, startRuntime } from "../runtime.ts";
import { cliIo, emit, fail } from "./output.ts";

export interface RunTaskInput {
  taskId: string;
  payload: unknown;
  json?: boolean | undefined;
}

/**
 * Runs one task to completion (retries and child runs included): on the running `npm start`'s
 * executor when forwarded there, otherwise on a runtime of its own scoped to this run.
 */
export async function runTask(input: RunTaskInput): Promise<void> {
  const shared = cliIo().runtime;
  const mine = new Set<string>();
  const runtime: Runtime = shared ?? (await startRuntime({ port: 0, cron: false, scope: mine }));
  try {
    if (!runtime.catalog.get(input.taskId)) {
      const known = runtime.catalog
        .list()
        .map((t) => t.id)
        .join(", ");
      throw new ValidationError(`Unknown task "${input.taskId}"; the tasks are: ${known}`);
    }
    const packet = await stringifyIO(input.payload);
    const { id } = await runtime.executor.store.create({
      taskId: input.taskId,
      payload: packet.data,
      payloadType: packet.dataType,
    });
    mine.add(id);
    runtime.executor.wake();
    const row = await runtime.executor.waitFor(id, 15 * 60_000);
    const view = runView(row);
    emit(input.json, view, () =>
      JSON.stringify(row.status === "completed" ? view.output : view.error, null, 2),
    );
    if (row.status !== "completed") fail();
  } finally {
    if (!shared) await runtime.close();
  }
}
