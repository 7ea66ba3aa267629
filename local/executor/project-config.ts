import type { RetryOptions } from "@trigger.dev/core/v3";
import projectConfig from "../../trigger.config.ts";

/**
 * What the executor reads from `trigger.config.ts` (never a copy of it): the default retry
 * policy of tasks that set none (a single attempt when `enabledInDev` is false) and the default
 * `maxDuration` in seconds.
 */
export function executorDefaults(config: typeof projectConfig = projectConfig): {
  retry: RetryOptions | undefined;
  maxDuration: number | undefined;
} {
  const retries = config.retries;
  const retry = retries?.enabledInDev === false ? { maxAttempts: 1 } : retries?.default;
  return { retry, maxDuration: config.maxDuration };
}
