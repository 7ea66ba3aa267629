import type { Deps } from "../build-deps.ts";
import type { CapabilityEvent } from "../capabilities/capability.ts";
import { withTenant } from "../db/with-tenant.ts";
import { linkedConnection } from "./linked-connection.ts";
import { transitionConnection } from "./transition-connection.ts";
import { wipeCredentials } from "./wipe-credentials.ts";

export type ProviderEventOutcome = "unknown_account" | "unchanged" | "transitioned" | "noted";

/**
 * Stripe `account.application.deauthorized`: the Connect account removed our platform's access.
 * Its connection becomes `disconnected`, its tokens are wiped and its owner is told. Safe to run
 * again: a connection already disconnected stays as it is.
 */
export async function handleStripeDeauthorization(
  event: CapabilityEvent,
  deps: Deps,
): Promise<{ outcome: ProviderEventOutcome }> {
  const account = (event.payload as { account?: unknown }).account;
  const connection =
    typeof account === "string" ? await linkedConnection(deps.db, "stripe_connect", account) : undefined;
  if (!connection) {
    deps.logger.warn("Stripe deauthorized an account no connection is linked to", { account });
    return { outcome: "unknown_account" };
  }
  const transition = await withTenant(deps.db, connection.tenantId, async (tx) => {
    const moved = await transitionConnection(tx, {
      connectionId: connection.id,
      provider: connection.provider,
      from: ["active", "expired", "error"],
      to: "disconnected",
      reason: "access revoked in Stripe (account.application.deauthorized)",
    });
    if (moved) await wipeCredentials(tx, connection.id);
    return moved;
  });
  if (!transition) return { outcome: "unchanged" };
  await deps.notifier.notify(transition);
  return { outcome: "transitioned" };
}
