import { formatError } from "../src/format-error.ts";
import { logger } from "../src/observability/logger.ts";
import { loadDotEnv } from "./load-dot-env.ts";
import { environmentProblems } from "./preflight.ts";
import { startRuntime } from "./runtime.ts";

// `npm start`: the offline runtime. .env is optional; real environment variables win. An empty
// SWITCHBOARD_LOCAL= (as in .env.example) still means local: only an explicit 0 turns it off.
loadDotEnv();
// Every problem with the environment at once, before anything starts or migrates.
const problems = await environmentProblems();
if (problems) {
  process.stderr.write(`${problems}\n`);
  process.exit(1);
}

let runtime: Awaited<ReturnType<typeof startRuntime>>;
try {
  runtime = await startRuntime();
} catch (err) {
  // One sentence (what is wrong, what to do), e.g. "port 3000 is in use; set PORT …".
  const debug = process.env.LOG_LEVEL?.trim() === "debug";
  process.stderr.write(`switchboard could not start: ${formatError(err, { debug })}\n`);
  process.exit(1);
}
logger.info(`Switchboard is running on ${runtime.url} (GET /healthz, GET /runs)`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down: letting in-flight runs finish", { signal });
    runtime
      .close()
      .then(() => {
        logger.info("stopped: database closed, runtime.json and the lock removed");
        process.exit(0);
      })
      .catch((err) => {
        logger.error("shutdown failed", { err });
        process.exit(1);
      });
  });
}
