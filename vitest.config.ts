import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: [
      "src/**/*.test.ts",
      "test/**/*.test.ts",
      "local/**/*.test.ts",
      "webhooks/**/*.test.ts",
      "trigger/**/*.test.ts",
    ],
    globalSetup: ["./test/global-setup.ts"],
    setupFiles: ["./test/setup/isolated-data-dir.ts"],
    pool: "forks",
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    env: {
      NODE_ENV: "test",
      LOG_LEVEL: "warn",
      OAUTH_STATE_SECRET: "test-oauth-state-secret-0123456789abcdef",
      // A fixed test key ring: v2 encrypts, v1 still decrypts.
      ENCRYPTION_KEYS:
        "v2:AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=,v1:ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8=",
    },
  },
});
