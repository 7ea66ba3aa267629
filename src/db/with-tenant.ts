import { sql } from "drizzle-orm";
import { ValidationError } from "../errors.ts";
import type { Db, Tx } from "./types.ts";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export const isTenantId = (value: string): boolean => UUID.test(value);

export function assertTenantId(tenantId: string): void {
  if (!isTenantId(tenantId)) throw new ValidationError(`Invalid tenant id "${tenantId}"`);
}

/**
 * Runs `fn` in a transaction scoped to one tenant: `app.tenant_id` is set for the transaction
 * only and the role is switched to `app_user`, so row-level security hides every other tenant's
 * rows even from a query that forgets its filter. Always use the `tx` handle inside `fn`.
 */
export async function withTenant<T>(db: Db, tenantId: string, fn: (tx: Tx) => Promise<T>): Promise<T> {
  assertTenantId(tenantId);
  return db.transaction(async (tx) => {
    await tx.execute(sql`select set_config('app.tenant_id', ${tenantId}, true)`);
    await tx.execute(sql`set local role app_user`);
    return fn(tx as Tx);
  });
}
