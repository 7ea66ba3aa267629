import { sql } from "drizzle-orm";
import type { ConnectionStatus } from "../../db/schema.ts";
import type { Deps } from "../build-deps.ts";
import type { CapabilityEvent } from "../capabilities/capability.ts";
import { withTenant } from "../db/with-tenant.ts";
import type { ProviderEventOutcome } from "./handle-stripe-deauthorization.ts";
import { linkedConnection } from "./linked-connection.ts";
import { transitionConnection } from "./transition-connection.ts";
import { wipeCredentials } from "./wipe-credentials.ts";

interface PlaidItemWebhook {
  item_id?: string;
  webhook_code?: string;
  error?: { error_code?: string } | null;
  consent_expiration_time?: string | null;
  disconnect_time?: string | null;
}

const MOVES: Record<string, { from: ConnectionStatus[]; to: ConnectionStatus } | undefined> = {
  ITEM_LOGIN_REQUIRED: { from: ["active", "error"], to: "expired" },
  ERROR: { from: ["active"], to: "error" },
  LOGIN_REPAIRED: { from: ["expired", "error"], to: "active" },
  USER_PERMISSION_REVOKED: { from: ["active", "expired", "error"], to: "disconnected" },
  USER_ACCOUNT_REVOKED: { from: ["active", "expired", "error"], to: "disconnected" },
};

/**
 * Plaid ITEM webhooks for an Item linked to a connection: login required → `expired` (the user
 * must re-link), other errors → `error`, repaired → `active`, revoked → `disconnected` (tokens
 * wiped); a pending expiration or disconnect is noted on the connection so it can be shown
 * before it happens. Safe to run again: each move is a compare-and-set.
 */
export async function handlePlaidItemEvent(
  event: CapabilityEvent,
  deps: Deps,
): Promise<{ outcome: ProviderEventOutcome }> {
  const body = event.payload as PlaidItemWebhook;
  const connection = body.item_id ? await linkedConnection(deps.db, "plaid", body.item_id) : undefined;
  if (!connection) {
    deps.logger.warn("Plaid Item event for an Item no connection is linked to", { itemId: body.item_id });
    return { outcome: "unknown_account" };
  }
  const code = body.webhook_code ?? "";
  if (code === "PENDING_EXPIRATION" || code === "PENDING_DISCONNECT") {
    const at = body.consent_expiration_time ?? body.disconnect_time ?? null;
    await withTenant(deps.db, connection.tenantId, (tx) =>
      tx.execute(sql`update integration_connections
      set metadata = metadata || jsonb_build_object('plaidPending', jsonb_build_object('code', ${code}::text, 'at', ${at}::text)),
        updated_at = now()
      where id = ${connection.id}`),
    );
    return { outcome: "noted" };
  }
  const errorCode = body.error?.error_code;
  const move = MOVES[code === "ERROR" && errorCode === "ITEM_LOGIN_REQUIRED" ? errorCode : code];
  if (!move) return { outcome: "unchanged" };
  const transition = await withTenant(deps.db, connection.tenantId, async (tx) => {
    const moved = await transitionConnection(tx, {
      connectionId: connection.id,
      provider: connection.provider,
      ...move,
      reason: `Plaid ${code}${errorCode ? ` (${errorCode})` : ""}`,
    });
    if (moved && move.to === "disconnected") await wipeCredentials(tx, connection.id);
    return moved;
  });
  if (!transition) return { outcome: "unchanged" };
  await deps.notifier.notify(transition);
  return { outcome: "transitioned" };
}
