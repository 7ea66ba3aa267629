import { CommanderError } from "commander";
import { formatError } from "../../src/format-error.ts";
import { type CliIo, withCliIo } from "./output.ts";
import { buildProgram } from "./program.ts";

/** Runs one CLI invocation (`args` without node and script) against `io`; returns the exit code. */
export async function runCliCommand(args: string[], io: CliIo): Promise<number> {
  const debug = args.includes("--debug") || process.env.LOG_LEVEL?.trim() === "debug";
  await withCliIo(io, async () => {
    try {
      await buildProgram().parseAsync(args, { from: "user" });
    } catch (err) {
      if (err instanceof CommanderError) {
        // Commander already printed its message (or the help / version).
        io.exitCode = err.exitCode === 0 ? 0 : 2;
      } else {
        io.stderr(`error: ${formatError(err, { debug })}\n`);
        io.exitCode = 1;
      }
    }
  });
  return io.exitCode;
}
