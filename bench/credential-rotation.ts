import { eq, sql } from "drizzle-orm";
import { integrationConnections, tenants } from "../db/schema.ts";
import { decryptCredentials, encryptCredentials } from "../src/connections/credential-cipher.ts";
import { rotateCredentialKeys } from "../src/connections/rotate-credential-keys.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import type { Db } from "../src/db/types.ts";

const ROWS = 2_000;
const K1 = Buffer.alloc(32, 1).toString("base64");
const K2 = Buffer.alloc(32, 2).toString("base64");

async function seed(db: Db): Promise<void> {
  await db.execute(sql`truncate tenants cascade`);
  const v1 = await parseKeyRing(`v1:${K1}`);
  const [tenant] = await db.insert(tenants).values({ name: "bench" }).returning();
  const rows = [];
  for (let i = 0; i < ROWS; i++) {
    const owner = { tenantId: tenant!.id, provider: `p${i}` };
    rows.push({
      ...owner,
      ...(await encryptCredentials(v1, owner, { access_token: `t${i}`, refresh_token: `r${i}` })),
    });
  }
  for (let i = 0; i < rows.length; i += 500)
    await db.insert(integrationConnections).values(rows.slice(i, i + 500));
}

/** Baseline: what a naive rotation does — one read and one write per row. */
async function rowByRow(db: Db): Promise<number> {
  const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
  const rows = await db.select().from(integrationConnections);
  for (const row of rows) {
    const plain = await decryptCredentials(ring, row, row.credentials);
    const sealed = await encryptCredentials(ring, row, plain);
    await db.update(integrationConnections).set(sealed).where(eq(integrationConnections.id, row.id));
  }
  return rows.length;
}

/** Batched rotation (the shipped code) against a row-by-row baseline on the same database. */
export async function benchCredentialRotation(): Promise<string> {
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  try {
    await migrate(handle);
    await seed(handle.db);
    let started = performance.now();
    await rowByRow(handle.db);
    const baselineMs = performance.now() - started;
    await seed(handle.db);
    const ring = await parseKeyRing(`v2:${K2},v1:${K1}`);
    started = performance.now();
    const summary = await rotateCredentialKeys(handle.db, ring, { batchSize: 500 });
    const batchedMs = performance.now() - started;
    return [
      `credential rotation (${handle.kind}, ${ROWS} rows, 2 fields each)`,
      `  row-by-row baseline: ${baselineMs.toFixed(0)} ms`,
      `  batched (500/batch): ${batchedMs.toFixed(0)} ms, rotated ${summary.rotated}`,
      `  ratio batched/baseline: ${(batchedMs / baselineMs).toFixed(3)} (speed-up ${(baselineMs / batchedMs).toFixed(1)}x)`,
    ].join("\n");
  } finally {
    await handle.close();
  }
}
