import { sql } from "drizzle-orm";
import { rowsOf } from "../db/types.ts";
import { AppError, describeError } from "../errors.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import type { RefreshOutcome } from "./refresh-connection-token.ts";
import { transitionConnection } from "./transition-connection.ts";

/** Failures over this long, at least this many times, turn a connection to `error`. */
export const ERROR_AFTER_MS = 24 * 3600 * 1000;
export const ERROR_AFTER_FAILURES = 3;

/**
 * The status machine for a failed refresh:
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
  const reason = err instanceof AppError ? `${err.code}: ${err.message}` : describeError(err).message;
  if (err instanceof AppError && err.reauthRequired) {
    const transition = await transitionConnection(deps.db, {
      ...target,
      from: ["active", "error"],
      to: "expired",
      reason,
    });
    if (transition) await deps.notifier.notify(transition);
    return { outcome: "expired", connectionId: target.connectionId, reason };
  }
  const [row] = rowsOf<{ refresh_failures: number; failing_for_ms: number; status: string }>(
    await deps.db.execute(sql`update integration_connections set
        refresh_failures = refresh_failures + 1,
        failing_since = coalesce(failing_since, now()),
        last_error = ${reason},
        last_error_at = now(),
        updated_at = now()
      where id = ${target.connectionId}
      returning refresh_failures, status,
        (extract(epoch from (now() - failing_since)) * 1000)::float8 as failing_for_ms`),
  );
  if (
    row &&
    row.status === "active" &&
    row.refresh_failures >= ERROR_AFTER_FAILURES &&
    row.failing_for_ms >= ERROR_AFTER_MS
  ) {
    const transition = await transitionConnection(deps.db, {
      ...target,
      from: ["active"],
      to: "error",
      reason,
    });
    if (transition) await deps.notifier.notify(transition);
    return { outcome: "error", connectionId: target.connectionId, reason };
  }
  return undefined;
}
