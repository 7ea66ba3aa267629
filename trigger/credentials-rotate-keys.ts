import { metadata, schedules } from "@trigger.dev/sdk";
import { rotateCredentialKeys } from "../src/connections/rotate-credential-keys.ts";
import { getDeps } from "../src/deps.ts";

/**
 * Re-encrypts credentials still under an old ENCRYPTION_KEYS version. Daily at 03:17 UTC, so a
 * key added to the front of the ring is rolled out within a day; trigger it by hand right after
 * a rotation. Safe to re-run: each pass only touches rows under old versions.
 */
export const credentialsRotateKeysTask = schedules.task({
  id: "credentials-rotate-keys",
  cron: { pattern: "17 3 * * *", window: "30m" },
  queue: { name: "credentials-rotation", concurrencyLimit: 1 },
  retry: { maxAttempts: 3, minTimeoutInMs: 5_000, maxTimeoutInMs: 60_000, factor: 2 },
  run: async () => {
    const deps = await getDeps();
    return rotateCredentialKeys(deps.db, deps.keyRing, {
      onProgress: ({ processed, total }) => {
        metadata.set("processed", processed).set("total", total);
      },
    });
  },
});
