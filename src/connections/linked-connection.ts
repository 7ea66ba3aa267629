import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

/**
 * The connection a provider account (Stripe `acct_…`, Plaid Item) is linked to, if any. Crosses
 * tenants on purpose: the account id is how an inbound event finds its tenant.
 */
export async function linkedConnection(
  db: Db,
  provider: string,
  accountId: string,
): Promise<{ id: string; tenantId: string; provider: string } | undefined> {
  const [row] = rowsOf<{ id: string; tenant_id: string; provider: string }>(
    await db.execute(sql`select c.id, c.tenant_id, c.provider from external_accounts a
      join integration_connections c on c.id = a.connection_id
      where a.provider = ${provider} and a.account_id = ${accountId}`),
  );
  return row ? { id: row.id, tenantId: row.tenant_id, provider: row.provider } : undefined;
}
