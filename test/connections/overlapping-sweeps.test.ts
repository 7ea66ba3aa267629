import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { rotateCredentialKeys } from "../../src/connections/rotate-credential-keys.ts";
import { sweepTokenRefresh } from "../../src/connections/sweep-token-refresh.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import type { BatchJobItem, JobQueue } from "../../src/jobs.ts";
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

/** A job queue that records what the sweep fans out (our port, not the SDK). */
function recordingQueue() {
  const triggered: BatchJobItem<{ connectionId: string }>[] = [];
  const jobs: JobQueue = {
    trigger: async () => ({ id: "run", isCached: false }),
    batchTrigger: async <P>(_taskId: string, items: BatchJobItem<P>[]) => {
      triggered.push(...(items as BatchJobItem<{ connectionId: string }>[]));
      return { batchId: "batch", runCount: items.length };
    },
  };
  return { jobs, triggered };
}

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

describe("overlapping refresh sweeps", () => {
  it("fan out each due connection once, however the sweeps overlap", async () => {
    const due = await seedDue(6);
    const { jobs, triggered } = recordingQueue();
    const [a, b] = await Promise.all([
      sweepTokenRefresh({ db: db.db, jobs }, { batchSize: 2 }),
      sweepTokenRefresh({ db: db.db, jobs }, { batchSize: 2 }),
    ]);
    expect(a.claimed + b.claimed).toBe(6);
    // A sweep starting while the fanned-out runs have not refreshed yet finds nothing new.
    expect((await sweepTokenRefresh({ db: db.db, jobs })).claimed).toBe(0);
    const ids = triggered.map((item) => item.payload.connectionId);
    expect(ids.sort()).toEqual(due.map((row) => row.id).sort());
  });

  it("re-claims a connection whose fan-out is ten minutes old (a lost run), not one claimed nine minutes ago", async () => {
    const [recent, lost] = await seedDue(2);
    await db.db.execute(sql`update integration_connections set refresh_requested_at = case
      when id = ${recent!.id} then now() - interval '9 minutes' else now() - interval '11 minutes' end`);
    const { jobs, triggered } = recordingQueue();
    expect((await sweepTokenRefresh({ db: db.db, jobs })).claimed).toBe(1);
    expect(triggered.map((item) => item.payload.connectionId)).toEqual([lost!.id]);
  });

  it.runIf(onPostgres)("skips a row another transaction has locked instead of waiting for it", async () => {
    const due = await seedDue(3);
    const { jobs, triggered } = recordingQueue();
    await db.db.transaction(async (tx) => {
      await tx.execute(sql`select id from integration_connections where id = ${due[0]!.id} for update`);
      const swept = await Promise.race([
        sweepTokenRefresh({ db: db.db, jobs }),
        new Promise((r) => setTimeout(() => r("blocked"), 5_000)),
      ]);
      expect(swept).toMatchObject({ claimed: 2 });
    });
    expect(triggered.map((item) => item.payload.connectionId)).not.toContain(due[0]!.id);
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
