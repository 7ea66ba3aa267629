import { defineConfig } from "vitest/config";
import FastFirstSequencer from "./test/setup/fast-first-sequencer.ts";
import base from "./vitest.config.ts";

/**
 * The suites that exercise the code `npm run mutation` mutates (src/crypto, src/ingress, the
 * webhook verifiers, src/connections): the CLI, runtime and benchmark suites add minutes to every
 * mutant without testing that code. `include` replaces the base list rather than merging with it
 * (`mergeConfig` concatenates arrays, which would run the whole suite for every mutant).
 */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: [
      "src/crypto/**/*.test.ts",
      "src/ingress/**/*.test.ts",
      "src/connections/**/*.test.ts",
      "src/providers/*-webhook.test.ts",
      "test/connections/**/*.test.ts",
      "test/webhooks/**/*.test.ts",
      "test/providers/**/*.test.ts",
      // The connection status machine and the platform credentials are src/connections code.
      "test/health/connection-status-machine.test.ts",
      "test/health/overlapping-checks.test.ts",
      "test/health/platform-credentials.test.ts",
    ],
    sequence: { sequencer: FastFirstSequencer },
  },
});
