import { sql } from "drizzle-orm";
import { surveyResponses, tenants } from "../db/schema.ts";
import { startFairingSimulator } from "../local/sandbox/fairing-server.ts";
import { buildDeps } from "../src/build-deps.ts";
import { saveConnection } from "../src/connections/save-connection.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { fairingResponseSchema, fairingWire } from "../src/providers/fairing-wire.ts";
import { surveyResponseRow } from "../src/surveys/survey-response-row.ts";
import { syncFairingResponses } from "../src/surveys/sync-fairing-responses.ts";

const N = Number(process.env.BENCH_FAIRING_N ?? 100_000);

/**
 * N Fairing responses through the whole sync (HTTP pages from the simulator, zod validation,
 * upsert + cursor per page in a tenant transaction) against a raw batched INSERT of the same rows
 * (same page size, no HTTP, no conflict handling, no cursor) into the same database in this run.
 * Also: pages fetched against the minimum ⌈N / page size⌉, for the full pass and an idle re-run.
 */
export async function benchFairingSync(): Promise<string> {
  const fairing = await startFairingSimulator({ maxLimit: fairingWire.pageLimit });
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  try {
    await migrate(handle);
    await handle.db.execute(sql`truncate tenants cascade`);
    const keyRing = await parseKeyRing(`b1:${Buffer.alloc(32, 7).toString("base64")}`);
    const noJobs = {
      trigger: async () => ({ id: "none", isCached: false }),
      batchTrigger: async () => ({ batchId: "none", runCount: 0 }),
    };
    const deps = buildDeps({ db: handle.db, jobs: noJobs, keyRing, env: { FAIRING_API_URL: fairing.url } });
    const [syncTenant, rawTenant] = await handle.db
      .insert(tenants)
      .values([{ name: "bench sync" }, { name: "bench raw" }])
      .returning();
    await saveConnection(handle.db, keyRing, {
      tenantId: syncTenant!.id,
      provider: "fairing",
      credentials: { api_key: "bench_key" },
    });
    fairing.addStore("bench_key", { count: N, spacingMs: 1_000 });

    const rows = fairing
      .responses("bench_key")
      .map((r) => surveyResponseRow(rawTenant!.id, fairingResponseSchema.parse(r)));
    const rawStarted = performance.now();
    for (let i = 0; i < rows.length; i += fairingWire.pageLimit) {
      await handle.db.insert(surveyResponses).values(rows.slice(i, i + fairingWire.pageLimit));
    }
    const rawMs = performance.now() - rawStarted;

    const syncStarted = performance.now();
    const full = await syncFairingResponses(deps, syncTenant!.id, { client: { requestsPerMinute: 0 } });
    const syncMs = performance.now() - syncStarted;
    const fullPages = fairing.requestsTo("GET /responses").length;
    fairing.requests.length = 0;
    const idle = await syncFairingResponses(deps, syncTenant!.id, { client: { requestsPerMinute: 0 } });
    const idlePages = fairing.requestsTo("GET /responses").length;

    const minimum = Math.ceil(N / fairingWire.pageLimit);
    const syncRate = N / (syncMs / 1000);
    const rawRate = N / (rawMs / 1000);
    return [
      `fairing sync (${handle.kind}, N=${N}, ${fairingWire.pageLimit} per page)`,
      `  full sync: ${full.inserted} inserted in ${syncMs.toFixed(0)} ms → ${syncRate.toFixed(0)} rows/s`,
      `  raw batched INSERT of the same rows: ${rawMs.toFixed(0)} ms → ${rawRate.toFixed(0)} rows/s`,
      `  ratio sync / raw insert: ${(syncRate / rawRate).toFixed(2)}`,
      `  pages fetched: ${fullPages} vs minimum ${minimum} (${(fullPages / minimum).toFixed(2)}x); ` +
        `idle re-run: ${idlePages} page(s), ${idle.processed} rows re-read inside the overlap, ${idle.updated} updated`,
    ].join("\n");
  } finally {
    await handle.close();
    await fairing.close();
  }
}
