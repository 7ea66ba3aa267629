import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

/**
 * The tenant and item an inbound provider event is about, found by our item id (Stripe transfer
 * metadata, PayPal `sender_item_id`) or by the provider's reference. Crosses tenants on purpose
 * (as the owner): provider events name our item, not our tenant. Everything after runs under
 * `withTenant`.
 */
export async function locatePayoutItem(
  db: Db,
  ref: { itemId?: string | undefined; providerRef?: string | undefined },
): Promise<{ itemId: string; tenantId: string } | undefined> {
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
  const byId = ref.itemId && uuid.test(ref.itemId) ? ref.itemId : null;
  if (!byId && !ref.providerRef) return undefined;
  const [row] = rowsOf<{ id: string; tenant_id: string }>(
    await db.execute(sql`select id, tenant_id from payout_items
      where ${byId ? sql`id = ${byId}` : sql`provider_ref = ${ref.providerRef!}`} limit 1`),
  );
  return row ? { itemId: row.id, tenantId: row.tenant_id } : undefined;
}
