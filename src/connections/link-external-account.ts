import { sql } from "drizzle-orm";
import type { Db } from "../db/types.ts";

/** Records which tenant a provider account belongs to (re-pointed when another tenant connects it). */
export async function linkExternalAccount(
  db: Db,
  link: { provider: string; accountId: string; tenantId: string; connectionId: string },
): Promise<void> {
  await db.execute(sql`insert into external_accounts (provider, account_id, tenant_id, connection_id)
    values (${link.provider}, ${link.accountId}, ${link.tenantId}, ${link.connectionId})
    on conflict (provider, account_id) do update set tenant_id = excluded.tenant_id, connection_id = excluded.connection_id`);
}
