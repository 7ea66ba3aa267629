import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

/** The tenant whose Stripe Connect account is `acct_…` (primary-key lookup), or null. */
export async function resolveStripeTenant(db: Db, account: string | undefined): Promise<string | null> {
  if (!account) return null;
  const [row] = rowsOf<{ tenant_id: string }>(
    await db.execute(sql`select tenant_id from external_accounts
      where provider = 'stripe_connect' and account_id = ${account}`),
  );
  return row?.tenant_id ?? null;
}
