import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connectionTransitions, externalAccounts, integrationConnections } from "../../db/schema.ts";
import { withTenant } from "../../src/db/with-tenant.ts";
import { createTenant } from "../../src/tenants/create-tenant.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
let tenantA: string;
let tenantB: string;
let connectionOfB: string;

beforeAll(async () => {
  db = await createTestDb();
  tenantA = (await createTenant(db.db, { name: "A" })).id;
  tenantB = (await createTenant(db.db, { name: "B" })).id;
  const [row] = await db.db
    .insert(integrationConnections)
    .values({ tenantId: tenantB, provider: "stripe_connect" })
    .returning();
  connectionOfB = row!.id;
});
afterAll(async () => db?.close());

const refused = (work: Promise<unknown>) =>
  work.then(
    () => "accepted",
    (err: { cause?: { code?: string }; code?: string }) => err.cause?.code ?? err.code ?? "error",
  );

describe("rows can only point at a connection of their own tenant", () => {
  it("refuses, inside tenant A's transaction, a transition or account link naming tenant B's connection", async () => {
    expect(
      await refused(
        withTenant(db.db, tenantA, (tx) =>
          tx.insert(connectionTransitions).values({
            tenantId: tenantA,
            connectionId: connectionOfB,
            fromStatus: "active",
            toStatus: "error",
          }),
        ),
      ),
    ).toBe("23503");
    expect(
      await refused(
        withTenant(db.db, tenantA, (tx) =>
          tx.insert(externalAccounts).values({
            provider: "stripe",
            accountId: "acct_probe",
            tenantId: tenantA,
            connectionId: connectionOfB,
          }),
        ),
      ),
    ).toBe("23503");
  });

  it("accepts the same rows for the connection's own tenant, and deletes them with the connection", async () => {
    await withTenant(db.db, tenantB, async (tx) => {
      await tx
        .insert(connectionTransitions)
        .values({ tenantId: tenantB, connectionId: connectionOfB, fromStatus: "active", toStatus: "error" });
      await tx
        .insert(externalAccounts)
        .values({ provider: "stripe", accountId: "acct_b", tenantId: tenantB, connectionId: connectionOfB });
    });
    await db.db.execute(sql`delete from integration_connections where id = ${connectionOfB}`);
    const left = await db.db.execute(
      sql`select (select count(*) from connection_transitions)::int + (select count(*) from external_accounts)::int as n`,
    );
    expect(JSON.stringify(left)).toMatch(/"n":0/);
  });
});
