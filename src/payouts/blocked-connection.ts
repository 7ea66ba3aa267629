import { sql } from "drizzle-orm";
import type { PayoutRail } from "../../db/schema.ts";
import { rowsOf, type Tx } from "../db/types.ts";

/** The tenant connection each rail pays through. */
export const CONNECTION_OF: Record<PayoutRail, string> = {
  stripe_connect: "stripe_connect",
  paypal: "paypal",
};

/**
 * Why the tenant's connection for a rail forbids paying now (`connection_disconnected`,
 * `connection_error`, …), or undefined. Checked when a batch is prepared and again right before
 * money is sent, since a connection can break between approval and execution. A tenant without
 * a connection row pays through the platform's own credentials.
 */
export async function blockedConnection(
  tx: Tx,
  tenantId: string,
  rail: PayoutRail,
): Promise<string | undefined> {
  const [row] = rowsOf<{ status: string }>(
    await tx.execute(sql`select status from integration_connections
      where tenant_id = ${tenantId} and provider = ${CONNECTION_OF[rail]}`),
  );
  return row && row.status !== "active" ? `connection_${row.status}` : undefined;
}
