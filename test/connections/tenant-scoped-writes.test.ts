import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { connectApiKey } from "../../src/connections/connect-api-key.ts";
import { disconnectConnection } from "../../src/connections/disconnect-connection.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { rowsOf } from "../../src/db/types.ts";
import { setIngressDeps } from "../../src/ingress/ingress-deps.ts";
import { routeRequest } from "../../webhooks/router.ts";
import {
  type ConnectionFixture,
  createConnectionFixture,
  seedConnection,
} from "../helpers/connection-fixture.ts";

const AUDITED = ["integration_connections", "oauth_states", "external_accounts", "connection_transitions"];

interface Write {
  tbl: string;
  op: string;
  role: string;
  setting: string | null;
  rowTenant: string;
}

let fx: ConnectionFixture;

/** Every row written to a tenant table since the last call, with the role and tenant that wrote it. */
async function writes(): Promise<Write[]> {
  const rows = rowsOf<Write>(
    await fx.db.db.execute(
      sql`delete from rls_audit returning tbl, op, role, setting, row_tenant as "rowTenant"`,
    ),
  );
  return rows.sort((a, b) => `${a.tbl}${a.op}`.localeCompare(`${b.tbl}${b.op}`));
}

beforeAll(async () => {
  fx = await createConnectionFixture();
  setIngressDeps({ ...fx.deps, oauth: fx.oauth, plaidKeys: undefined });
  // A row trigger runs as the role of the statement that fired it: record who wrote what.
  await fx.db.db.execute(
    sql`create table rls_audit (tbl text, op text, role text, setting text, row_tenant text)`,
  );
  await fx.db.db.execute(sql`grant insert, select, delete on rls_audit to app_user`);
  await fx.db.db.execute(sql`create function rls_audit_write() returns trigger language plpgsql as $$
    begin
      insert into rls_audit values (tg_table_name, tg_op, current_user,
        nullif(current_setting('app.tenant_id', true), ''), new.tenant_id::text);
      return null;
    end $$`);
  for (const table of AUDITED) {
    await fx.db.db.execute(
      sql.raw(`create trigger rls_audit after insert or update on ${table}
        for each row execute function rls_audit_write()`),
    );
  }
});
afterAll(async () => {
  setIngressDeps(undefined);
  await fx?.close();
});

const asTenant = (tenantId: string) => ({ role: "app_user", setting: tenantId, rowTenant: tenantId });

describe("connection flows write tenant rows only inside withTenant (as app_user, RLS applies)", () => {
  it("OAuth start and callback: state, connection and provider account", async () => {
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "OAuth" }).returning();
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId: tenant!.id, provider: "stripe_connect" });
    const authorize = new URL(url);
    const callback = new URL(authorize.searchParams.get("redirect_uri")!);
    callback.searchParams.set("code", fx.stripe.issueCode({ redirectUri: callback.toString() }));
    callback.searchParams.set("state", authorize.searchParams.get("state")!);
    expect((await routeRequest(new Request(callback)))!.status).toBe(302);
    expect(await writes()).toEqual([
      { tbl: "external_accounts", op: "INSERT", ...asTenant(tenant!.id) },
      { tbl: "integration_connections", op: "INSERT", ...asTenant(tenant!.id) },
      { tbl: "oauth_states", op: "INSERT", ...asTenant(tenant!.id) },
      { tbl: "oauth_states", op: "UPDATE", ...asTenant(tenant!.id) },
    ]);
  });

  it("API-key connect over an expired connection: the connection and its recovery transition", async () => {
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "Keys" }).returning();
    await connectApiKey(fx.deps, {
      tenantId: tenant!.id,
      provider: "resend",
      fields: { api_key: "re_valid_test_key" },
    });
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "expired" })
      .where(eq(integrationConnections.tenantId, tenant!.id));
    await writes();
    await connectApiKey(fx.deps, {
      tenantId: tenant!.id,
      provider: "resend",
      fields: { api_key: "re_valid_test_key" },
    });
    expect(await writes()).toEqual([
      { tbl: "connection_transitions", op: "INSERT", ...asTenant(tenant!.id) },
      { tbl: "connection_transitions", op: "UPDATE", ...asTenant(tenant!.id) }, // notified
      { tbl: "integration_connections", op: "UPDATE", ...asTenant(tenant!.id) },
    ]);
  });

  it("disconnect: the status change, its transition and the wiped credentials", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "r",
      expiresAt: new Date(),
    });
    await writes();
    await disconnectConnection(fx.deps, row.id);
    expect(await writes()).toEqual([
      { tbl: "connection_transitions", op: "INSERT", ...asTenant(row.tenantId) },
      { tbl: "integration_connections", op: "UPDATE", ...asTenant(row.tenantId) },
      { tbl: "integration_connections", op: "UPDATE", ...asTenant(row.tenantId) },
    ]);
  });

  it("single-connection refresh: the lease, the recorded answer and its application", async () => {
    fx.google.seedToken("rt_scoped");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "rt_scoped",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await writes();
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "refreshed" });
    const update = { tbl: "integration_connections", op: "UPDATE", ...asTenant(row.tenantId) };
    expect(await writes()).toEqual([update, update, update]);
  });

  it("single-connection refresh of a dead grant: the lease, its release and the status machine's transition", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "rt_never_issued",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await writes();
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "expired" });
    const all = await writes();
    expect(all.length).toBeGreaterThanOrEqual(4);
    for (const write of all) expect(write).toMatchObject(asTenant(row.tenantId));
    expect(all.map((w) => `${w.tbl} ${w.op}`)).toContain("connection_transitions INSERT");
  });

  it("single-connection refresh never touches another tenant's connection, even by its id", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "r",
      expiresAt: new Date(Date.now() + 60_000),
    });
    const [other] = await fx.db.db.insert(tenants).values({ name: "Other" }).returning();
    await expect(refreshConnectionToken(fx.deps, { id: row.id, tenantId: other!.id })).rejects.toThrow(
      /No connection/,
    );
    const [after] = await fx.db.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, row.id));
    expect(after).toMatchObject({ refreshLeaseOwner: null, tokenVersion: row.tokenVersion });
  });
});
