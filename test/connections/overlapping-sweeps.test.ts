import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { claimDueRefreshes } from "../../src/connections/claim-due-refreshes.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { rotateCredentialKeys } from "../../src/connections/rotate-credential-keys.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

let db: TestDb;
const onPostgres = Boolean(process.env.TEST_DATABASE_URL);
const K1 = Buffer.alloc(32, 1).toString("base64");
const K2 = Buffer.alloc(32, 2).toString("base64");

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());
beforeEach(async () => db.truncate());

async function seedDue(count: number, keyVersion = "v1") {
  const ring = await parseKeyRing(`v1:${K1}`);
  const [tenant] = await db.db.insert(tenants).values({ name: "T" }).returning();
  const rows = [];
  for (let i = 0; i < count; i++) {
    const owner = { tenantId: tenant!.id, provider: `provider_${i}` };
    const sealed = await encryptCredentials(ring, owner, { access_token: `tok-${i}` });
    rows.push({
      ...owner,
      credentials: sealed.credentials,
      keyVersion,
      refreshDueAt: new Date(Date.now() - 60_000),
    });
  }
  return db.db.insert(integrationConnections).values(rows).returning();
}

const claim = (owner: string, limit = 1_000) =>
  claimDueRefreshes(db.db, { owner, limit, horizonSeconds: 900, leaseSeconds: 300 });

describe("overlapping refresh sweeps", () => {
  it("claim each due connection once, however the sweeps overlap", async () => {
    const due = await seedDue(6);
    const claims = await Promise.all([claim("a", 2), claim("b", 2), claim("a2", 2), claim("b2", 2)]);
    const ids = claims.flat().map((row) => row.id);
    expect(ids.sort()).toEqual(due.map((row) => row.id).sort());
    // A sweep starting while the claimed rows are being refreshed finds nothing new.
    expect(await claim("c")).toHaveLength(0);
  });

  it("re-claims a connection whose lease ran out (a crashed sweep), not one still leased", async () => {
    const [held, lost] = await seedDue(2);
    await db.db.execute(sql`update integration_connections set refresh_lease_owner = 'crashed',
      refresh_lease_until = case when id = ${held!.id} then now() + interval '1 minute'
        else now() - interval '1 second' end`);
    expect((await claim("next")).map((row) => row.id)).toEqual([lost!.id]);
  });

  it.runIf(onPostgres)("skips a row another transaction has locked instead of waiting for it", async () => {
    const due = await seedDue(3);
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`select id from integration_connections where id = ${due[0]!.id} for update`);
      const swept = await Promise.race([
        claim("other"),
        new Promise<"blocked">((r) => setTimeout(() => r("blocked"), 5_000)),
      ]);
      expect(swept).not.toBe("blocked");
      expect((swept as { id: string }[]).map((row) => row.id)).not.toContain(due[0]!.id);
      expect(swept).toHaveLength(2);
    });
  });
});

describe("credential key rotation beside other writers", () => {
  it.runIf(onPostgres)("rotates every row it can lock and leaves a locked one to the next run", async () => {
    const rows = await seedDue(3);
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`select id from integration_connections where id = ${rows[0]!.id} for update`);
      const rotated = await Promise.race([
        rotateCredentialKeys(db.db, ring),
        new Promise((r) => setTimeout(() => r("blocked"), 5_000)),
      ]);
      expect(rotated).toMatchObject({ rotated: 2 });
    });
    expect(await rotateCredentialKeys(db.db, ring)).toMatchObject({ rotated: 1 });
  });
});
