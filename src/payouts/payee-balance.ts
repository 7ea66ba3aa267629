import { sql } from "drizzle-orm";
import type { Deps } from "../build-deps.ts";
import { rowsOf } from "../db/types.ts";
import { withTenant } from "../db/with-tenant.ts";

export interface PayeeBalance {
  /** The ledger's sum: what can go in the next batch. */
  availableMinor: number;
  /** Reserved by items whose money has not left yet (pending or submitted). */
  inFlightMinor: number;
  currency: string;
}

/** A payee's balance, derived from the ledger (never stored separately). */
export async function payeeBalance(
  deps: Pick<Deps, "db">,
  tenantId: string,
  payeeId: string,
): Promise<PayeeBalance> {
  return withTenant(deps.db, tenantId, async (tx) => {
    const [row] = rowsOf<{ currency: string; available: string | number; in_flight: string | number }>(
      await tx.execute(sql`select p.currency,
          coalesce((select sum(amount_minor) from ledger_entries l
            where l.tenant_id = p.tenant_id and l.payee_id = p.id and l.currency = p.currency), 0) as available,
          coalesce((select sum(amount_minor) from payout_items i
            where i.tenant_id = p.tenant_id and i.payee_id = p.id and i.status in ('pending', 'submitted')), 0) as in_flight
        from payees p where p.id = ${payeeId} and p.tenant_id = ${tenantId}`),
    );
    return {
      availableMinor: Number(row?.available ?? 0),
      inFlightMinor: Number(row?.in_flight ?? 0),
      currency: row?.currency ?? "usd",
    };
  });
}
