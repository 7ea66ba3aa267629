import { existsSync } from "node:fs";
import { logger } from "../src/observability/logger.ts";
import { startRuntime } from "./runtime.ts";

// `npm start`: the offline runtime. .env is optional; real environment variables win.
if (existsSync(".env")) process.loadEnvFile(".env");
process.env.SWITCHBOARD_LOCAL ??= "1";

const runtime = await startRuntime();
logger.info(`Switchboard is running on ${runtime.url} (GET /healthz, GET /runs)`);

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.on(signal, () => {
    if (stopping) return;
    stopping = true;
    logger.info("shutting down: letting in-flight runs finish", { signal });
    runtime
      .close()
      .then(() => process.exit(0))
      .catch((err) => {
        logger.error("shutdown failed", { err });
        process.exit(1);
      });
  });
}
