import type { Db } from "../db/types.ts";
import type { JobQueue } from "../jobs.ts";
import { pingHeartbeat } from "../observability/heartbeat.ts";
import { optionalFeatureUrl } from "../observability/optional-feature-url.ts";
import { type Notifier, notifyPendingTransitions } from "./connection-notifier.ts";
import { purgeExpiredOAuthStates } from "./purge-expired-oauth-states.ts";
import { type SweepOptions, sweepTokenRefresh } from "./sweep-token-refresh.ts";

/**
 * One sweep: fan out due refreshes, re-send failed notifications, purge stale OAuth states, then
 * ping the heartbeat.
 */
export async function runTokenRefreshSweep(
  deps: { db: Db; jobs: JobQueue; notifier: Notifier; env: Record<string, string | undefined> },
  options: SweepOptions = {},
) {
  const sweep = await sweepTokenRefresh(deps, options);
  const renotified = await notifyPendingTransitions(deps.db, deps.notifier);
  const purgedOAuthStates = await purgeExpiredOAuthStates(deps.db);
  const heartbeat = await pingHeartbeat(
    optionalFeatureUrl("BETTERSTACK_HEARTBEAT_URL", deps.env),
    "token-refresh-sweep",
  );
  return { ...sweep, renotified, purgedOAuthStates, heartbeat };
}
