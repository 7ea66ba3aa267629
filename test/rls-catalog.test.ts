import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";
import { unfencedTenantTables } from "./helpers/unfenced-tables.ts";

let handle: TestDb;
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe("row-level security over the whole catalog", () => {
  it("fences every table with a tenant_id column: RLS enabled and a policy for app_user", async () => {
    expect(await unfencedTenantTables(handle.db)).toEqual([]);
  });

  it("reports a new tenant table until it has both RLS and an app_user policy", async () => {
    await handle.db.execute(sql`create table rls_probe (id int primary key, tenant_id uuid not null)`);
    try {
      expect(await unfencedTenantTables(handle.db)).toEqual([
        { table: "public.rls_probe", rlsEnabled: false, appUserPolicy: false, openPolicies: [] },
      ]);
      await handle.db.execute(sql`alter table rls_probe enable row level security`);
      expect(await unfencedTenantTables(handle.db)).toEqual([
        { table: "public.rls_probe", rlsEnabled: true, appUserPolicy: false, openPolicies: [] },
      ]);
      await handle.db.execute(sql`create policy rls_probe_isolation on rls_probe for all to app_user
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
      expect(await unfencedTenantTables(handle.db)).toEqual([]);
    } finally {
      await handle.db.execute(sql`drop table rls_probe`);
    }
  });

  it("reports a table that a permissive policy opens to every tenant, for app_user or for PUBLIC", async () => {
    await handle.db.execute(sql`create table rls_probe (id int primary key, tenant_id uuid not null)`);
    try {
      await handle.db.execute(sql`alter table rls_probe enable row level security`);
      await handle.db.execute(sql`create policy rls_probe_everyone on rls_probe for all to app_user
        using (true) with check (true)`);
      expect(await unfencedTenantTables(handle.db)).toEqual([
        {
          table: "public.rls_probe",
          rlsEnabled: true,
          appUserPolicy: false,
          openPolicies: ["rls_probe_everyone"],
        },
      ]);
      await handle.db.execute(sql`drop policy rls_probe_everyone on rls_probe`);
      await handle.db.execute(sql`create policy rls_probe_isolation on rls_probe for all to app_user
        using (tenant_id = nullif(current_setting('app.tenant_id', true), '')::uuid)`);
      await handle.db.execute(
        sql`create policy rls_probe_public_read on rls_probe for select to public using (true)`,
      );
      expect(await unfencedTenantTables(handle.db)).toEqual([
        {
          table: "public.rls_probe",
          rlsEnabled: true,
          appUserPolicy: true,
          openPolicies: ["rls_probe_public_read"],
        },
      ]);
      await handle.db.execute(sql`drop policy rls_probe_public_read on rls_probe`);
      expect(await unfencedTenantTables(handle.db)).toEqual([]);
    } finally {
      await handle.db.execute(sql`drop table rls_probe`);
    }
  });

  it("reports a shipped table whose policy was dropped or whose RLS was disabled", async () => {
    await handle.db.execute(sql`drop policy oauth_states_isolation on oauth_states`);
    await handle.db.execute(sql`alter table webhook_events disable row level security`);
    expect((await unfencedTenantTables(handle.db)).map((t) => t.table)).toEqual([
      "public.oauth_states",
      "public.webhook_events",
    ]);
  });
});
