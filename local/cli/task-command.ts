import { stringifyIO } from "@trigger.dev/core/v3";
import type { Command } from "commander";
import { ValidationError } from "../../src/errors.ts";
import { runView } from "../executor/run-store.ts";
import { startRuntime } from "../runtime.ts";
import { emit } from "./output.ts";

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(`--payload is not valid JSON: ${text.slice(0, 80)}`);
  }
}

export function registerTaskCommand(program: Command): void {
  const task = program.command("task").description("run task definitions from trigger/");
  task
    .command("run <taskId>")
    .description("run one task to completion (with its retries and child runs) and print its output")
    .option("--payload <json>", "the payload, as JSON", "{}")
    .option("--json", "print JSON")
    .action(async (taskId: string, opts: { payload: string; json?: boolean }) => {
      const payload = parsePayload(opts.payload);
      const mine = new Set<string>();
      const runtime = await startRuntime({
        port: 0,
        cron: false,
        scope: mine,
      });
      try {
        if (!runtime.catalog.get(taskId)) {
          const known = runtime.catalog
            .list()
            .map((t) => t.id)
            .join(", ");
          throw new ValidationError(`Unknown task "${taskId}". Tasks: ${known}`);
        }
        const packet = await stringifyIO(payload);
        const { id } = await runtime.executor.store.create({
          taskId,
          payload: packet.data,
          payloadType: packet.dataType,
        });
        mine.add(id);
        runtime.executor.wake();
        const row = await runtime.executor.waitFor(id, 15 * 60_000);
        const view = runView(row);
        emit(opts.json, view, () =>
          JSON.stringify(row.status === "completed" ? view.output : view.error, null, 2),
        );
        if (row.status !== "completed") process.exitCode = 1;
      } finally {
        await runtime.close();
      }
    });
}
