import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import type { CapabilityEvent } from "../capabilities/capability.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";
import { notifyPayouts } from "./notify-payouts.ts";

/** Plaid ITEM codes after which a payee's bank can no longer be trusted for payouts. */
const UNVERIFYING = new Set([
  "ERROR",
  "PENDING_EXPIRATION",
  "PENDING_DISCONNECT",
  "USER_PERMISSION_REVOKED",
  "USER_ACCOUNT_REVOKED",
]);

/**
 * Plaid ITEM webhooks for an Item linked to a payee's bank: an error or a coming expiration or
 * disconnection un-verifies the payee (excluded from new batches until verified again) and tells
 * the tenant once. The Item is found across tenants (the event names only the Item); the change
 * runs under the payee's tenant. Safe to repeat.
 */
export async function handlePayeePlaidEvent(
  event: CapabilityEvent,
  deps: Deps,
): Promise<{ outcome: "unknown_item" | "unchanged" | "unverified" }> {
  const body = event.payload as {
    item_id?: string;
    webhook_code?: string;
    error?: { error_code?: string } | null;
  };
  if (!body.item_id) return { outcome: "unknown_item" };
  const [link] = rowsOf<{ payee_id: string; tenant_id: string }>(
    await deps.db.execute(
      sql`select payee_id, tenant_id from payee_bank_links where plaid_item_id = ${body.item_id}`,
    ),
  );
  if (!link) return { outcome: "unknown_item" };
  const code = body.webhook_code ?? "";
  if (!UNVERIFYING.has(code)) return { outcome: "unchanged" };
  const note = `Plaid ${code}${body.error?.error_code ? ` (${body.error.error_code})` : ""}`;
  const changed = await withTenant(
    deps.db,
    link.tenant_id,
    async (tx) =>
      rowsOf(
        await tx.execute(sql`update payees set bank_verification = 'revoked', bank_verification_note = ${note}, updated_at = now()
        where id = ${link.payee_id} and bank_verification <> 'revoked' returning id`),
      ).length,
  );
  if (!changed) return { outcome: "unchanged" };
  await notifyPayouts(
    deps,
    link.tenant_id,
    `Payee ${link.payee_id}'s bank needs attention (${note}): left out of new batches until it is verified again.`,
  );
  return { outcome: "unverified" };
}
