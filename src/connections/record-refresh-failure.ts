import { applyConnectionSignals } from "./apply-connection-signals.ts";
import { classifyConnectionFailure } from "./classify-connection-failure.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import type { RefreshOutcome } from "./refresh-connection-token.ts";

export { ERROR_AFTER_FAILURES, ERROR_AFTER_MS } from "./apply-connection-signals.ts";

/**
 * A failed refresh, through the connection status machine (`applyConnectionSignals`):
 * - the grant is dead (invalid_grant, revoked, unauthorized client) → `expired` at once;
 * - a transient failure (429, 5xx, network) is counted; failing for over a day → `error`.
 * Each transition is recorded and notified once. Returns the outcome when the failure ended
 * the attempt for good; undefined when the caller should rethrow so the task retries.
 */
export async function recordRefreshFailure(
  deps: ConnectionDeps,
  target: { connectionId: string; provider: string },
  err: unknown,
): Promise<RefreshOutcome | undefined> {
  const failure = classifyConnectionFailure(err);
  const [result] = await applyConnectionSignals(deps, [
    {
      connectionId: target.connectionId,
      source: "refresh",
      ok: false,
      failureClass: failure.failureClass,
      reason: failure.reason,
    },
  ]);
  const moved = result?.transition?.kind === "status" ? result.transition.toStatus : undefined;
  if (failure.failureClass === "auth") {
    return { outcome: "expired", connectionId: target.connectionId, reason: failure.reason };
  }
  if (moved === "error")
    return { outcome: "error", connectionId: target.connectionId, reason: failure.reason };
  return undefined;
}
