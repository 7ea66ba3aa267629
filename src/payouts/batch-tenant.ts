import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";
import { NotFoundError } from "../errors.ts";

/**
 * The tenant owning a batch, for operator commands addressed by batch id only (`payouts approve
 * <batchId>`). Crosses tenants on purpose, like the other operator actions; the decision itself
 * then runs under `withTenant`.
 */
export async function batchTenant(db: Db, batchId: string): Promise<string> {
  const [row] = rowsOf<{ tenant_id: string }>(
    await db.execute(sql`select tenant_id from payout_batches where id = ${batchId}`),
  );
  if (!row) throw new NotFoundError(`No payout batch ${batchId}`);
  return row.tenant_id;
}
