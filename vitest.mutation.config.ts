import { defineConfig, mergeConfig } from "vitest/config";
import base from "./vitest.config.ts";

/**
 * The suites that exercise the code `npm run mutation` mutates (src/crypto, src/ingress, the
 * webhook verifiers, src/connections): the CLI, runtime and benchmark suites add minutes to every
 * mutant without testing that code.
 */
export default mergeConfig(
  base,
  defineConfig({
    test: {
      include: [
        "src/crypto/**/*.test.ts",
        "src/ingress/**/*.test.ts",
        "src/connections/**/*.test.ts",
        "test/connections/**/*.test.ts",
        "test/webhooks/**/*.test.ts",
        "test/providers/**/*.test.ts",
      ],
    },
  }),
);
