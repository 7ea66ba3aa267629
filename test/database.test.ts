import { readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../db/schema.ts";
import { migrateLocalRuntime } from "../local/migrate-local-runtime.ts";
import { migrate, migrationsFolder } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { rowsOf } from "../src/db/types.ts";
import { withTenant } from "../src/db/with-tenant.ts";
import { createTestDb, type TestDb } from "./helpers/test-db.ts";

let handle: TestDb;
const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};
beforeAll(async () => {
  handle = await createTestDb();
});
afterAll(async () => handle?.close());

describe(`migrations (${process.env.TEST_DATABASE_URL ? "postgres via Neon driver" : "pglite"})`, () => {
  it("creates every core table with row-level security enabled on tenant-owned ones", async () => {
    const rows = rowsOf<{ relname: string; relrowsecurity: boolean }>(
      await handle.db.execute(sql`select relname, relrowsecurity from pg_class
        where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname`),
    );
    const byName = Object.fromEntries(rows.map((r) => [r.relname, r.relrowsecurity]));
    expect(byName).toMatchObject({
      tenants: true,
      integration_connections: true,
      webhook_events: true,
      task_runs: false,
    });
  });

  it("is idempotent: migrating an up-to-date database changes nothing", async () => {
    const before = rowsOf(
      await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
    );
    await migrate(handle);
    const after = rowsOf(
      await handle.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
    );
    expect(after).toEqual(before);
    expect(before[0]).toEqual({ n: journal.entries.length });
  });

  it("creates none of the local runtime's tables in production; the local runtime's own set does", async () => {
    const fresh = await openDb({ url: "memory://" });
    try {
      const localTables = async () =>
        rowsOf<{ name: string }>(
          await fresh.db.execute(sql`select relname as name from pg_class
            where relname in ('task_runs', 'task_batches', 'schedule_ticks') and relkind = 'r' order by 1`),
        ).map((r) => r.name);
      await migrate(fresh);
      expect(await localTables()).toEqual([]);
      await migrateLocalRuntime(fresh);
      expect(await localTables()).toEqual(["schedule_ticks", "task_batches", "task_runs"]);
    } finally {
      await fresh.close();
    }
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "lets four concurrent migrators of a fresh database all succeed under the advisory lock",
    async () => {
      const fresh = `sb_test_migrate_${Date.now()}`;
      await handle.db.execute(sql.raw(`create database "${fresh}"`));
      const url = new URL(handle.url!);
      url.pathname = `/${fresh}`;
      const handles = await Promise.all([1, 2, 3, 4].map(() => openDb({ url: url.toString() })));
      try {
        const results = await Promise.allSettled(handles.map((h) => migrate(h)));
        expect(results.map((r) => r.status)).toEqual(["fulfilled", "fulfilled", "fulfilled", "fulfilled"]);
        const [row] = rowsOf<{ n: number }>(
          await handles[0]!.db.execute(sql`select count(*)::int as n from drizzle.__drizzle_migrations`),
        );
        expect(row?.n).toBe(journal.entries.length);
      } finally {
        await Promise.all(handles.map((h) => h.close()));
        await handle.db.execute(sql.raw(`drop database "${fresh}" with (force)`));
      }
    },
  );
});

describe("tenant isolation (row-level security)", () => {
  it("shows a tenant only its own rows, even to a query with no tenant filter", async () => {
    const [a, b] = await handle.db
      .insert(tenants)
      .values([{ name: "A" }, { name: "B" }])
      .returning();
    const seen = await withTenant(handle.db, a!.id, (tx) => tx.select().from(tenants));
    expect(seen.map((t) => t.id)).toEqual([a!.id]);
    const forged = await withTenant(handle.db, a!.id, (tx) =>
      tx.execute(sql`select id from tenants where id = ${b!.id}`),
    );
    expect(rowsOf(forged)).toEqual([]);
  });

  it("refuses to write a row for another tenant", async () => {
    const [a, b] = await handle.db
      .insert(tenants)
      .values([{ name: "A2" }, { name: "B2" }])
      .returning();
    await expect(
      withTenant(handle.db, a!.id, (tx) =>
        tx.execute(sql`insert into integration_connections (tenant_id, provider) values (${b!.id}, 'slack')`),
      ),
    ).rejects.toMatchObject({ cause: { message: expect.stringMatching(/row-level security/) } });
    const updated = await withTenant(handle.db, a!.id, (tx) =>
      tx.execute(sql`update tenants set name = 'hijacked' where id = ${b!.id} returning id`),
    );
    expect(rowsOf(updated)).toEqual([]);
    const [still] = rowsOf<{ name: string }>(
      await handle.db.execute(sql`select name from tenants where id = ${b!.id}`),
    );
    expect(still?.name).toBe("B2");
  });

  it("does not leak the tenant setting into the next transaction", async () => {
    const [a] = await handle.db
      .insert(tenants)
      .values([{ name: "A3" }])
      .returning();
    await withTenant(handle.db, a!.id, async () => undefined);
    const [row] = rowsOf<{ setting: string | null; role: string }>(
      await handle.db.execute(
        sql`select nullif(current_setting('app.tenant_id', true), '') as setting, current_user as role`,
      ),
    );
    expect(row?.setting ?? null).toBeNull();
    expect(row?.role).not.toBe("app_user");
  });

  it("rejects a tenant id that is not a UUID before touching the database", async () => {
    await expect(withTenant(handle.db, "1 or 1=1", async () => 1)).rejects.toThrow(/Invalid tenant id/);
  });
});
