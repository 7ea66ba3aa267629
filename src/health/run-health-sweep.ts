import type { Db } from "../db/types.ts";
import type { JobQueue } from "../jobs.ts";
import { pingHeartbeat } from "../observability/heartbeat.ts";
import { optionalFeatureUrl } from "../observability/optional-feature-url.ts";
import type { ProviderHttpClient } from "../providers/provider-http-client.ts";
import { type HealthSweepProgress, sweepHealthChecks } from "./sweep-health-checks.ts";

/**
 * One health sweep, then its dead-man switch: `HEALTH_SWEEP_HEARTBEAT_URL` is pinged after a
 * successful sweep and `<url>/fail` after a failed one (the error is rethrown: the run fails and
 * retries). A sweep that stops running stops pinging, and Better Stack alerts.
 */
export async function runHealthSweep(
  deps: { db: Db; jobs: JobQueue; http: ProviderHttpClient; env: Record<string, string | undefined> },
  options: { sweepId: string; onProgress?: (p: HealthSweepProgress) => void | Promise<void> },
) {
  const heartbeat = optionalFeatureUrl("HEALTH_SWEEP_HEARTBEAT_URL", deps.env);
  try {
    const result = await sweepHealthChecks(deps, options);
    return { ...result, heartbeat: await pingHeartbeat(deps.http, heartbeat, "health-sweep") };
  } catch (err) {
    await pingHeartbeat(deps.http, heartbeat, "health-sweep", "fail");
    throw err;
  }
}
