import { sql } from "drizzle-orm";
import { type Queryable, rowsOf } from "../../src/db/types.ts";

export interface UnfencedTable {
  table: string;
  rlsEnabled: boolean;
  appUserPolicy: boolean;
}

/**
 * Tables that hold tenant rows (a `tenant_id` column, plus `tenants` itself) but are not fenced
 * for tenant transactions: row-level security off, or no policy for every command that applies
 * to `app_user`. Read from the catalog, so a table added by any migration is covered.
 */
export async function unfencedTenantTables(db: Queryable): Promise<UnfencedTable[]> {
  return rowsOf<UnfencedTable>(
    await db.execute(sql`
      select format('%I.%I', n.nspname, c.relname) as "table",
             c.relrowsecurity as "rlsEnabled",
             exists (
               select 1 from pg_policy p
               where p.polrelid = c.oid and p.polcmd = '*'
                 and (select oid from pg_roles where rolname = 'app_user') = any (p.polroles)
             ) as "appUserPolicy"
      from pg_class c
      join pg_namespace n on n.oid = c.relnamespace
      where c.relkind in ('r', 'p')
        and n.nspname not in ('pg_catalog', 'information_schema', 'drizzle')
        and n.nspname not like 'pg_toast%'
        and (
          exists (select 1 from pg_attribute a
                  where a.attrelid = c.oid and a.attname = 'tenant_id' and not a.attisdropped)
          or (n.nspname = 'public' and c.relname = 'tenants')
        )
      order by 1`),
  ).filter((t) => !t.rlsEnabled || !t.appUserPolicy);
}
