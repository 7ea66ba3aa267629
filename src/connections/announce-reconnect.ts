import { withTenant } from "../db/with-tenant.ts";
import type { ConnectionDeps } from "./connection-deps.ts";
import type { SavedConnection } from "./save-connection.ts";
import { recordTransition } from "./transition-connection.ts";

/**
 * After a (re)connect: a connection that was `expired` or `error` is active again — record the
 * transition and tell its owner, as every other transition is.
 */
export async function announceReconnect(
  deps: ConnectionDeps,
  owner: { tenantId: string; provider: string },
  saved: SavedConnection,
): Promise<void> {
  if (saved.previousStatus !== "expired" && saved.previousStatus !== "error") return;
  const fromStatus = saved.previousStatus;
  const transition = await withTenant(deps.db, owner.tenantId, (tx) =>
    recordTransition(tx, {
      ...owner,
      connectionId: saved.id,
      fromStatus,
      toStatus: "active",
      reason: "reconnected",
    }),
  );
  await deps.notifier.notify(transition);
}
