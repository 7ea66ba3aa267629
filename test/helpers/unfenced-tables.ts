import { sql } from "drizzle-orm";
import { type Queryable, rowsOf } from "../../src/db/types.ts";

export interface UnfencedTable {
  table: string;
  rlsEnabled: boolean;
  /** A policy for every command, for app_user, that reads and checks the tenant setting. */
  appUserPolicy: boolean;
  /** Permissive policies reaching app_user (directly or through PUBLIC) that do not. */
  openPolicies: string[];
}

/**
 * Tables that hold tenant rows (a `tenant_id` column, plus `tenants` itself) but are not fenced
 * for tenant transactions: row-level security off; no policy for every command for `app_user`
 * whose USING and WITH CHECK compare against `app.tenant_id`; or another permissive policy
 * reaching `app_user` that does not (permissive policies are OR-ed, so one `USING (true)` opens
 * the table to every tenant). Read from the catalog, so a table added by any migration is covered.
 */
export async function unfencedTenantTables(db: Queryable): Promise<UnfencedTable[]> {
  return rowsOf<UnfencedTable>(
    await db.execute(sql`
      with app_user as (select oid from pg_roles where rolname = 'app_user'),
      policies as (
        select p.polrelid, p.polname, p.polcmd, p.polpermissive,
               p.polroles && array[0::oid, (select oid from app_user)] as reaches_app_user,
               (select oid from app_user) = any (p.polroles) as names_app_user,
               coalesce(pg_get_expr(p.polqual, p.polrelid), '') like '%current_setting(''app.tenant_id''%'
                 and coalesce(pg_get_expr(p.polwithcheck, p.polrelid), pg_get_expr(p.polqual, p.polrelid), '')
                   like '%current_setting(''app.tenant_id''%' as tenant_bound
        from pg_policy p
      )
      select format('%I.%I', n.nspname, c.relname) as "table",
             c.relrowsecurity as "rlsEnabled",
             exists (select 1 from policies p where p.polrelid = c.oid and p.polcmd = '*'
                       and p.names_app_user and p.tenant_bound) as "appUserPolicy",
             coalesce((select array_agg(p.polname::text order by p.polname) from policies p
                        where p.polrelid = c.oid and p.polpermissive and p.reaches_app_user
                          and not p.tenant_bound), '{}') as "openPolicies"
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
  ).filter((t) => !t.rlsEnabled || !t.appUserPolicy || t.openPolicies.length > 0);
}
