import { logger } from "./logger.ts";
import { runtimeEnv } from "./runtime.ts";

const reportedInvalid = new Set<string>();

/**
 * The URL of an optional feature (SENTRY_DSN, BETTERSTACK_HEARTBEAT_URL, ALERTS_SLACK_WEBHOOK_URL).
 * An invalid value turns that feature off and is logged once per process (without the value, which
 * may carry a token); it never fails the configuration, task loading or anything else.
 */
export function optionalFeatureUrl(
  name: string,
  env: Record<string, string | undefined> = runtimeEnv(),
  isValid: (url: URL) => boolean = () => true,
): string | undefined {
  const value = env[name]?.trim();
  if (!value) return undefined;
  const url = URL.canParse(value) ? new URL(value) : undefined;
  if (url && (url.protocol === "https:" || url.protocol === "http:") && isValid(url)) return value;
  if (!reportedInvalid.has(name)) {
    reportedInvalid.add(name);
    logger.error(`${name} is not a valid URL: that feature is off until it is fixed`, { variable: name });
  }
  return undefined;
}
