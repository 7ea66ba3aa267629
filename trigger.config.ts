import { esbuildPlugin } from "@trigger.dev/build/extensions";
import { defineConfig } from "@trigger.dev/sdk";
import type { Plugin } from "esbuild";

/**
 * Keeps local-only code out of deployed workers: `src/db/open-pglite.ts` (the only importer of
 * PGlite, loaded dynamically by `openDb`) becomes a module that refuses with a clear message, and
 * any import of `local/` fails the build. `test/deploy-bundle.test.ts` bundles `trigger/` with it.
 */
export const withoutLocalOnlyCode: Plugin = {
  name: "switchboard-without-local-only-code",
  setup(build) {
    build.onResolve({ filter: /(^|\/)open-pglite(\.ts)?$/ }, () => ({
      path: "open-pglite",
      namespace: "switchboard-deploy",
    }));
    build.onLoad({ filter: /.*/, namespace: "switchboard-deploy" }, () => ({
      loader: "js",
      contents: `export async function openPglite() {
  throw new Error("PGlite is not part of deployed workers: set DATABASE_URL (Neon's pooled URL)");
}`,
    }));
    build.onResolve({ filter: /(^|\/)local\// }, (args) =>
      args.importer.includes("node_modules")
        ? undefined
        : { errors: [{ text: `${args.importer} imports ${args.path}: local/ never ships` }] },
    );
  },
};

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
    extensions: [esbuildPlugin(withoutLocalOnlyCode, { target: "deploy" })],
  },
});
