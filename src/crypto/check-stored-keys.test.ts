import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, keyCanaries, tenants } from "../../db/schema.ts";
import { createTestDb, type TestDb } from "../../test/helpers/test-db.ts";
import { encryptCredentials } from "../connections/credential-cipher.ts";
import { ConfigError } from "../errors.ts";
import { checkStoredKeys } from "./check-stored-keys.ts";
import { encryptSecret } from "./envelope.ts";
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
      /key version "dev1" in the ring is not the key this data was encrypted with/,
    );
  });

  it("stores each ring version's fingerprint at start, so a regenerated key is refused before any credential exists", async () => {
    await checkStoredKeys(db.db, await parseKeyRing(`v2:${K2},dev1:${K1}`), { record: true });
    const stored = await db.db.select().from(keyCanaries);
    expect(stored.map((row) => row.keyVersion).sort()).toEqual(["dev1", "v2"]);
    expect(stored.every((row) => !row.canary.includes(K1) && row.canary.startsWith("sb1."))).toBe(true);
    await expect(checkStoredKeys(db.db, await parseKeyRing(`dev1:${K2}`))).rejects.toThrow(
      /key version "dev1" in the ring is not the key this data was encrypted with/,
    );
    await expect(checkStoredKeys(db.db, await parseKeyRing(`dev1:${K1}`))).rejects.toThrow(
      /key version "v2" is not in the key ring/,
    );
    await expect(checkStoredKeys(db.db, await parseKeyRing(`dev1:${K1},v2:${K2}`))).resolves.toBeUndefined();
  });

  it("records nothing unless asked, and never replaces a stored fingerprint", async () => {
    await checkStoredKeys(db.db, await parseKeyRing(`dev1:${K1}`));
    expect(await db.db.select().from(keyCanaries)).toEqual([]);
    await checkStoredKeys(db.db, await parseKeyRing(`dev1:${K1}`), { record: true });
    const [first] = await db.db.select().from(keyCanaries);
    await checkStoredKeys(db.db, await parseKeyRing(`v3:${K2},dev1:${K1}`), { record: true });
    const after = await db.db.select().from(keyCanaries);
    expect(after.find((row) => row.keyVersion === "dev1")?.canary).toBe(first?.canary);
    expect(after.map((row) => row.keyVersion).sort()).toEqual(["dev1", "v3"]);
  });

  it("accepts a fingerprint recorded by an earlier start (the canary's binding is a stored format)", async () => {
    const ring = await parseKeyRing(`dev1:${K1}`);
    const canary = await encryptSecret(ring, "switchboard key canary", {
      tenantId: "platform",
      provider: "key-canary",
      field: "dev1",
    });
    await db.db.insert(keyCanaries).values({ keyVersion: "dev1", canary });
    await expect(checkStoredKeys(db.db, ring)).resolves.toBeUndefined();
  });

  it("names every unreadable version in one error, with the versions as context", async () => {
    await storeUnder(`v3:${K1}`);
    await storeUnder(`v4:${K2}`);
    const error = (await checkStoredKeys(db.db, await parseKeyRing(`v5:${K1}`)).catch(
      (e: unknown) => e,
    )) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toContain(
      'key version "v3" is not in the key ring; key version "v4" is not in the key ring.',
    );
    expect(error.context).toEqual({ versions: ["v3", "v4"] });
  });

  it("lets an error that is not a decryption failure through instead of blaming the key", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "T" }).returning();
    await db.db.insert(integrationConnections).values({
      tenantId: tenant!.id,
      provider: "resend",
      credentials: { api_key: 5 } as unknown as Record<string, string>,
      keyVersion: "dev1",
    });
    const error = await checkStoredKeys(db.db, await parseKeyRing(`dev1:${K1}`)).catch((e: Error) => e);
    expect(error).toBeInstanceOf(TypeError);
  });
});
