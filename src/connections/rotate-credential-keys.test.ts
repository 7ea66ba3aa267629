import { sql } from "drizzle-orm";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { captureLogs } from "../../test/helpers/capture-logs.ts";
import { createTestDb, type TestDb } from "../../test/helpers/test-db.ts";
import { parseKeyRing } from "../crypto/key-ring.ts";
import { rowsOf } from "../db/types.ts";
import { decryptCredentials, encryptCredentials } from "./credential-cipher.ts";
import { rotateCredentialKeys } from "./rotate-credential-keys.ts";

const K1 = Buffer.alloc(32, 11).toString("base64");
const K2 = Buffer.alloc(32, 22).toString("base64");
let db: TestDb;

beforeAll(async () => {
  db = await createTestDb();
});
afterAll(async () => db?.close());
let logs: ReturnType<typeof captureLogs>;
beforeEach(async () => {
  logs = captureLogs();
  await db.truncate();
});
afterEach(() => logs.stop());
/** An error line with this message naming this connection. */
const logged = (message: string, connectionId: string) =>
  logs.lines.some((line) => {
    const entry = JSON.parse(line) as { level: string; message: string; connectionId?: string };
    return entry.level === "error" && entry.message === message && entry.connectionId === connectionId;
  });

async function seed(count: number) {
  const v1 = await parseKeyRing(`v1:${K1}`);
  const [tenant] = await db.db.insert(tenants).values({ name: "T" }).returning();
  const rows = [];
  for (let i = 0; i < count; i++) {
    const provider = `provider_${i}`;
    const sealed = await encryptCredentials(
      v1,
      { tenantId: tenant!.id, provider },
      { access_token: `tok-${i}` },
    );
    rows.push({
      tenantId: tenant!.id,
      provider,
      credentials: sealed.credentials,
      keyVersion: sealed.keyVersion,
    });
  }
  return db.db.insert(integrationConnections).values(rows).returning();
}

describe("credential key rotation", () => {
  it("re-encrypts every row under the new key in batches and reports progress", async () => {
    await seed(5);
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    const progress: { processed: number; total: number }[] = [];
    const summary = await rotateCredentialKeys(db.db, ring, {
      batchSize: 2,
      onProgress: (p) => void progress.push(p),
    });
    expect(summary).toMatchObject({ currentVersion: "v2", rotated: 5, failed: 0, batches: 3 });
    expect(progress.at(-1)).toEqual({ processed: 5, total: 5 });

    const onlyNew = await parseKeyRing(`v2:${K2}`);
    const rows = await db.db.select().from(integrationConnections);
    expect(rows.every((r) => r.keyVersion === "v2")).toBe(true);
    for (const row of rows) {
      const plain = await decryptCredentials(onlyNew, row, row.credentials);
      expect(plain.access_token).toBe(`tok-${row.provider.split("_")[1]}`);
    }
  });

  it("is safe to re-run: a second pass finds nothing to do", async () => {
    await seed(3);
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    await rotateCredentialKeys(db.db, ring);
    const again = await rotateCredentialKeys(db.db, ring);
    expect(again).toMatchObject({ rotated: 0, batches: 0 });
  });

  it("rotates every readable row, then fails naming the rows it could not decrypt", async () => {
    const [broken] = await seed(3);
    await db.db.execute(sql`update integration_connections
      set credentials = jsonb_build_object('access_token', 'sb1.v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA')
      where id = ${broken!.id}`);
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    const progress: number[] = [];
    await expect(
      rotateCredentialKeys(db.db, ring, { batchSize: 1, onProgress: (p) => void progress.push(p.processed) }),
    ).rejects.toMatchObject({
      code: "rotation_incomplete",
      retryable: false,
      context: { connectionIds: [broken!.id], rotated: 2 },
    });
    // Skipped rows count as processed: the progress reaches the total.
    expect(progress.at(-1)).toBe(3);
    expect(logged("credential rotation skipped a connection", broken!.id)).toBe(true);
    const versions = rowsOf<{ id: string; key_version: string }>(
      await db.db.execute(sql`select id, key_version from integration_connections`),
    );
    expect(versions.filter((v) => v.key_version === "v2")).toHaveLength(2);
    expect(versions.find((v) => v.id === broken!.id)?.key_version).toBe("v1");
  });
});

describe("rotation past several unreadable rows", () => {
  it("skips each unreadable row in every later batch and names them all", async () => {
    const seeded = await seed(5);
    const broken = [seeded[0]!.id, seeded[3]!.id].sort();
    await db.db.execute(sql`update integration_connections
      set credentials = jsonb_build_object('access_token', 'sb1.v1.AAAAAAAAAAAAAAAA.AAAAAAAAAAAAAAAAAAAAAAAA')
      where id = any(${`{${broken.join(",")}}`}::uuid[])`);
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    const failure = await rotateCredentialKeys(db.db, ring, { batchSize: 1 }).catch((err: unknown) => err);
    expect(failure).toMatchObject({ code: "rotation_incomplete", context: { rotated: 3 } });
    expect([...(failure as { context: { connectionIds: string[] } }).context.connectionIds].sort()).toEqual(
      broken,
    );
  });
});

describe("rotation under a changed key of the same version", () => {
  it("counts rows that the current key cannot decrypt as failures instead of reporting success", async () => {
    await seed(2);
    // Same version name, different key bytes: what a regenerated development key looks like.
    const impostor = await parseKeyRing(`v1:${K2}`);
    await expect(rotateCredentialKeys(db.db, impostor)).rejects.toMatchObject({
      code: "rotation_incomplete",
      message: "2 connection(s) could not be re-encrypted",
    });
  });
});

describe("the check of rows already under the current key", () => {
  it("reads past its first batch of 500 rows", async () => {
    const v2 = await parseKeyRing(`v2:${K2}`);
    const [tenant] = await db.db.insert(tenants).values({ name: "Many" }).returning();
    const rows = await Promise.all(
      Array.from({ length: 501 }, async (_, i) => {
        const provider = `provider_${i}`;
        const sealed = await encryptCredentials(
          v2,
          { tenantId: tenant!.id, provider },
          { access_token: `t${i}` },
        );
        // The undecryptable row sorts last by id, in the second batch.
        const id =
          i === 500 ? "ffffffff-ffff-4fff-bfff-ffffffffffff" : crypto.randomUUID().replace(/^f/, "0");
        return {
          id,
          tenantId: tenant!.id,
          provider,
          credentials: sealed.credentials,
          keyVersion: sealed.keyVersion,
        };
      }),
    );
    rows[500]!.credentials = rows[0]!.credentials;
    await db.db.insert(integrationConnections).values(rows);
    await expect(rotateCredentialKeys(db.db, v2)).rejects.toMatchObject({
      code: "rotation_incomplete",
      context: { connectionIds: ["ffffffff-ffff-4fff-bfff-ffffffffffff"], rotated: 0 },
    });
    expect(
      logged("a credential under the current key does not decrypt", "ffffffff-ffff-4fff-bfff-ffffffffffff"),
    ).toBe(true);
  });
});
