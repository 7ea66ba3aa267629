import type { JobQueue } from "../jobs.ts";
import { pingHeartbeat } from "../observability/heartbeat.ts";
import { optionalFeatureUrl } from "../observability/optional-feature-url.ts";
import { checkPlatformCredentials } from "./check-platform-credentials.ts";
import type { ProbeDeps } from "./probe-connection.ts";
import { type HealthSweepProgress, sweepHealthChecks } from "./sweep-health-checks.ts";

/**
 * One health sweep: fan out the due connections' checks, probe the platform's own credentials
 * (STRIPE_API_KEY, PLAID_*, PAYPAL_*… have no connection row), then the dead-man switch:
 * `HEALTH_SWEEP_HEARTBEAT_URL` is pinged after a successful sweep and `<url>/fail` after a
 * failed one (the error is rethrown: the run fails and retries). A sweep that stops running
 * stops pinging, and Better Stack alerts.
 */
export async function runHealthSweep(
  deps: ProbeDeps & { jobs: JobQueue },
  options: { sweepId: string; onProgress?: (p: HealthSweepProgress) => void | Promise<void> },
) {
  const heartbeat = optionalFeatureUrl("HEALTH_SWEEP_HEARTBEAT_URL", deps.env);
  try {
    const result = await sweepHealthChecks(deps, options);
    const platform = await checkPlatformCredentials(deps);
    return { ...result, platform, heartbeat: await pingHeartbeat(deps.http, heartbeat, "health-sweep") };
  } catch (err) {
    await pingHeartbeat(deps.http, heartbeat, "health-sweep", "fail");
    throw err;
  }
}
