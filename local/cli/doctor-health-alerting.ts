import { optionalFeatureUrl } from "../../src/observability/optional-feature-url.ts";

/**
 * `switchboard doctor`'s view of the health sweep's own alarms: the dead-man heartbeat
 * (HEALTH_SWEEP_HEARTBEAT_URL: a sweep that stops running is noticed only through it) and the
 * platform's alert channel (ALERTS_SLACK_WEBHOOK_URL). Production without the heartbeat fails:
 * the scheduler's silence would go unnoticed. Local mode only says what is on.
 */
export async function healthAlerting(env: Record<string, string | undefined> = process.env): Promise<string> {
  const heartbeat = optionalFeatureUrl("HEALTH_SWEEP_HEARTBEAT_URL", env);
  const slack = optionalFeatureUrl("ALERTS_SLACK_WEBHOOK_URL", env);
  const channels = [slack ? "Slack" : undefined, env.SENTRY_DSN?.trim() ? "Sentry" : undefined]
    .concat(env.BETTER_STACK_API_TOKEN?.trim() ? ["Better Stack incidents"] : [])
    .filter(Boolean)
    .join(", ");
  const alerts = `alerts go to ${channels || "no channel (the log only)"}`;
  if (heartbeat) return `heartbeat set; ${alerts}`;
  if (env.SWITCHBOARD_LOCAL === "1") return `no heartbeat (HEALTH_SWEEP_HEARTBEAT_URL unset); ${alerts}`;
  throw new Error(
    `HEALTH_SWEEP_HEARTBEAT_URL is not set (or not a URL): a health sweep that stops running goes unnoticed; ${alerts}`,
  );
}
