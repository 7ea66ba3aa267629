import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { createTestDb, type TestDb } from "../../test/helpers/test-db.ts";
import { encryptCredentials } from "../connections/credential-cipher.ts";
import { checkStoredKeys } from "./check-stored-keys.ts";
import { parseKeyRing } from "./key-ring.ts";

const K1 = Buffer.alloc(32, 1).toString("base64");
const K2 = Buffer.alloc(32, 2).toString("base64");
let db: TestDb;
beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());
beforeEach(async () => db.truncate());

async function storeUnder(spec: string) {
  const ring = await parseKeyRing(spec);
  const [tenant] = await db.db.insert(tenants).values({ name: "T" }).returning();
  const sealed = await encryptCredentials(
    ring,
    { tenantId: tenant!.id, provider: "resend" },
    { api_key: "k" },
  );
  await db.db.insert(integrationConnections).values({
    tenantId: tenant!.id,
    provider: "resend",
    credentials: sealed.credentials,
    keyVersion: sealed.keyVersion,
  });
}

describe("checkStoredKeys", () => {
  it("accepts a ring that decrypts every key version in use, and an empty database", async () => {
    await expect(checkStoredKeys(db.db, await parseKeyRing(`dev1:${K1}`))).resolves.toBeUndefined();
    await storeUnder(`dev1:${K1}`);
    await expect(checkStoredKeys(db.db, await parseKeyRing(`v2:${K2},dev1:${K1}`))).resolves.toBeUndefined();
  });

  it("fails at start naming a key version that is missing from the ring", async () => {
    await storeUnder(`dev1:${K1}`);
    await expect(checkStoredKeys(db.db, await parseKeyRing(`v2:${K2}`))).rejects.toThrow(
      /key version "dev1" is not in the key ring/,
    );
  });

  it("fails when the ring's key of that version is a different key (a regenerated development key)", async () => {
    await storeUnder(`dev1:${K1}`);
    await expect(checkStoredKeys(db.db, await parseKeyRing(`dev1:${K2}`))).rejects.toThrow(
      /key version "dev1" in the ring is not the key these credentials were encrypted with/,
    );
  });
});
