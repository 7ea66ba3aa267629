import { defineConfig } from "drizzle-kit";

/** The local runtime's own migration set (runs, batches, cron ticks); never applied in production. */
export default defineConfig({
  dialect: "postgresql",
  schema: "./db/local-runtime/schema.ts",
  out: "./db/local-runtime/migrations",
});
