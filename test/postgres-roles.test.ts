import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { tenants } from "../db/schema.ts";
import { migrate } from "../src/db/migrate.ts";
import { type DbHandle, openDb } from "../src/db/open-db.ts";
import { rowsOf } from "../src/db/types.ts";
import { withTenant } from "../src/db/with-tenant.ts";
import { type EmbeddedServer, startEmbeddedPostgres } from "./helpers/embedded-postgres.ts";
import { withDatabase } from "./helpers/template.ts";

/**
 * Production databases (Neon) are owned by a role that is not a superuser and may only create
 * roles. These tests create such an owner and its database on a real server, migrate as that
 * owner, and run a tenant transaction: PostgreSQL 15 (the server TEST_DATABASE_URL names) and
 * PostgreSQL 17 (started here from the `embedded-postgres` package), whose role rules differ.
 */
async function asCreateRoleOwner<T>(superuserUrl: string, fn: (owner: DbHandle) => Promise<T>): Promise<T> {
  const suffix = randomBytes(4).toString("hex");
  const role = `sb_owner_${suffix}`;
  const database = `sb_roles_${suffix}`;
  const password = randomBytes(12).toString("hex");
  const admin = await openDb({ url: superuserUrl });
  try {
    await admin.db.execute(
      sql.raw(`create role "${role}" login createrole nosuperuser nobypassrls password '${password}'`),
    );
    await admin.db.execute(sql.raw(`create database "${database}" owner "${role}"`));
    const url = new URL(withDatabase(superuserUrl, database));
    url.username = role;
    url.password = password;
    const owner = await openDb({ url: url.toString() });
    try {
      return await fn(owner);
    } finally {
      await owner.close();
      await admin.db.execute(sql.raw(`drop database if exists "${database}" with (force)`));
      await admin.db.execute(sql.raw(`drop role if exists "${role}"`));
    }
  } finally {
    await admin.close();
  }
}

async function migrateAndUseTenant(owner: DbHandle): Promise<void> {
  const [me] = rowsOf<{ super: boolean; version: number }>(
    await owner.db.execute(sql`select rolsuper as super, current_setting('server_version_num')::int as version
      from pg_roles where rolname = current_user`),
  );
  expect(me?.super).toBe(false);
  await migrate(owner);
  await migrate(owner); // a second run on an up-to-date database changes nothing and does not fail
  const [a, b] = await owner.db
    .insert(tenants)
    .values([{ name: "A" }, { name: "B" }])
    .returning();
  const seen = await withTenant(owner.db, a!.id, async (tx) => ({
    role: rowsOf<{ role: string }>(await tx.execute(sql`select current_user as role`))[0]?.role,
    tenants: (await tx.select().from(tenants)).map((t) => t.id),
  }));
  expect(seen).toEqual({ role: "app_user", tenants: [a!.id] });
  await withTenant(owner.db, b!.id, (tx) =>
    tx.execute(sql`insert into integration_connections (tenant_id, provider) values (${b!.id}, 'slack')`),
  );
  const [count] = rowsOf<{ n: number }>(
    await owner.db.execute(sql`select count(*)::int as n from integration_connections`),
  );
  expect(count?.n).toBe(1);
}

describe("migrations as a non-superuser owner with only CREATEROLE", () => {
  describe("PostgreSQL 17 (embedded)", () => {
    let server: EmbeddedServer;
    beforeAll(async () => {
      server = await startEmbeddedPostgres();
    });
    afterAll(async () => server?.stop());

    it("migrates, gets SET (not only the ADMIN a role's creator has since 16) and runs a tenant transaction as app_user", async () => {
      await asCreateRoleOwner(server.url, async (owner) => {
        const [row] = rowsOf<{ version: number; appUser: boolean }>(
          await owner.db.execute(sql`select current_setting('server_version_num')::int as version,
            exists (select 1 from pg_roles where rolname = 'app_user') as "appUser"`),
        );
        expect(row).toEqual({ version: expect.any(Number), appUser: false });
        expect(row!.version).toBeGreaterThanOrEqual(170000);
        await migrateAndUseTenant(owner);
        const [grant] = rowsOf<{ set: boolean; admin: boolean }>(
          await owner.db.execute(sql`select pg_has_role(current_user, 'app_user', 'SET') as set,
            pg_has_role(current_user, 'app_user', 'USAGE WITH ADMIN OPTION') as admin`),
        );
        expect(grant).toEqual({ set: true, admin: true });
      });
    });
  });

  it.runIf(Boolean(process.env.TEST_DATABASE_URL))(
    "migrates and runs a tenant transaction as app_user on the server TEST_DATABASE_URL names (PostgreSQL 15 here)",
    async () => {
      await asCreateRoleOwner(process.env.TEST_DATABASE_URL!, migrateAndUseTenant);
    },
  );
});
