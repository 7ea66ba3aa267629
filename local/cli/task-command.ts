import type { Command } from "commander";
import { ValidationError } from "../../src/errors.ts";
import { cliIo } from "./output.ts";

function parsePayload(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ValidationError(`--payload is not valid JSON: ${text.slice(0, 80)}`);
  }
}

/**
 * The task runner always comes from source: task files in trigger/ are TypeScript loaded through
 * tsx and share module state (deps, SDK catalog) with the runtime, so the compiled CLI must not
 * hold a second copy. The path is computed so the bundler leaves it alone (both this file and the
 * bundle sit two directories below the repository root).
 */
async function loadRunTask(): Promise<typeof import("./run-task.ts")> {
  if (!import.meta.url.endsWith(".ts")) (await import("tsx/esm/api")).register();
  const source = new URL("../../local/cli/run-task.ts", import.meta.url).href;
  return (await import(source)) as typeof import("./run-task.ts");
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
      // Inside a running `npm start` the runtime's own executor runs it.
      const { runTask } = cliIo().runtime ? await import("./run-task.ts") : await loadRunTask();
      await runTask({ taskId, payload, json: opts.json });
    });
}
