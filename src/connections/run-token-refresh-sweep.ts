import { pingHeartbeat } from "../observability/heartbeat.ts";
import { optionalFeatureUrl } from "../observability/optional-feature-url.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import { notifyPendingTransitions } from "./connection-notifier.ts";
import { purgeExpiredOAuthStates } from "./purge-expired-oauth-states.ts";
import {
  type BatchRefreshOptions,
  refreshDueTokensAcrossTenants,
} from "./refresh-due-tokens-across-tenants.ts";

/**
 * One sweep, across tenants: refresh every due token in batches, re-send failed notifications,
 * purge stale OAuth states, then ping the heartbeat.
 */
export async function runTokenRefreshSweep(deps: ConnectionDeps, options: BatchRefreshOptions = {}) {
  const sweep = await refreshDueTokensAcrossTenants(deps, options);
  const renotified = await notifyPendingTransitions(deps.db, deps.notifier);
  const purgedOAuthStates = await purgeExpiredOAuthStates(deps.db);
  const heartbeat = await pingHeartbeat(
    deps.http,
    optionalFeatureUrl("BETTERSTACK_HEARTBEAT_URL", deps.env),
    "token-refresh-sweep",
  );
  return { ...sweep, renotified, purgedOAuthStates, heartbeat };
}
