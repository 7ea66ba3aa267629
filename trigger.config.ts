import { defineConfig } from "@trigger.dev/sdk";

export default defineConfig({
  // The project ref from the Trigger.dev dashboard (Project settings).
  project: process.env.TRIGGER_PROJECT_REF ?? "proj_switchboard",
  dirs: ["./trigger"],
  // Seconds of compute one run may use before it is stopped.
  maxDuration: 900,
  retries: {
    enabledInDev: true,
    default: { maxAttempts: 3, minTimeoutInMs: 1_000, maxTimeoutInMs: 30_000, factor: 2, randomize: true },
  },
  build: {
    // PGlite and the local runtime never ship: production uses the Neon driver.
    external: ["@electric-sql/pglite"],
  },
});
