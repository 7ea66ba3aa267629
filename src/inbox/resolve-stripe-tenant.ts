import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

/** The tenant whose Stripe Connect connection is account `acct_…` (indexed), or null. */
export async function resolveStripeTenant(db: Db, account: string | undefined): Promise<string | null> {
  if (!account) return null;
  const [row] = rowsOf<{ tenant_id: string }>(
    await db.execute(sql`select tenant_id from integration_connections
      where provider = 'stripe_connect' and metadata->>'stripe_user_id' = ${account} limit 1`),
  );
  return row?.tenant_id ?? null;
}
