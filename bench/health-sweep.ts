import { fork } from "node:child_process";
import { sql } from "drizzle-orm";
import pLimit from "p-limit";
import { buildDeps } from "../src/build-deps.ts";
import { encryptCredentials } from "../src/connections/credential-cipher.ts";
import { getKeyRing } from "../src/crypto/load-key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import { type Db, rowsOf } from "../src/db/types.ts";
import { checkConnections, PROBE_CONCURRENCY } from "../src/health/check-connections.ts";
import { runHealthSweep } from "../src/health/run-health-sweep.ts";
import type { JobQueue } from "../src/jobs.ts";
import { probeRequest } from "../src/providers/probe-request.ts";
import { providerConfig } from "../src/providers/provider-config.ts";
import { createProviderHttpClient } from "../src/providers/provider-http-client.ts";

const COUNT = Number(process.env.BENCH_HEALTH_CONNECTIONS ?? 10_000);
const LATENCY_MS = 20;
/** Child runs of one provider in flight (the `health-check-<provider>` queue's concurrency limit). */
const CHILDREN = 5;
const INTERVAL_MS = 5 * 60_000;
const KEY = "test_sandbox_lob_key";

/** A database handle that counts the statements it is asked to run (each `execute` is one). */
function counting(db: Db): { db: Db; count: () => number } {
  let n = 0;
  const proxy = new Proxy(db, {
    get(target, prop, receiver) {
      const value = Reflect.get(target, prop, receiver);
      if (prop === "execute" && typeof value === "function") {
        return (...args: unknown[]) => {
          n++;
          return (value as (...a: unknown[]) => unknown).apply(target, args);
        };
      }
      return value;
    },
  });
  return { db: proxy, count: () => n };
}

/**
 * `bench/health-sweep`: COUNT tenants with one Lob connection each, the Lob simulator answering
 * in 20 ms. Measures one whole sweep (select due, fan out chunks, CHILDREN chunks in flight, each
 * probing PROBE_CONCURRENCY at a time and writing its results in one statement) against the
 * provider alone (the same probes through the same client at the same concurrency, no
 * database), as a fraction of the 5-minute interval (goal < 10 %), and database statements per
 * check (goal ≤ 1).
 */
export async function benchHealthSweep(): Promise<string> {
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://", poolMax: 10 });
  const child = fork(new URL("./lob-process.ts", import.meta.url), [String(LATENCY_MS)], {
    execArgv: ["--import", "tsx"],
    stdio: ["ignore", "inherit", "inherit", "ipc"],
  });
  const lob = {
    url: await new Promise<string>((resolve) =>
      child.once("message", (m: { ready: string }) => resolve(m.ready)),
    ),
    close: async () => void child.disconnect(),
  };
  try {
    await migrate(handle);
    const keyRing = await getKeyRing();
    await handle.db.execute(sql`truncate tenants cascade`);
    for (let start = 0; start < COUNT; start += 1_000) {
      const rows = await Promise.all(
        Array.from({ length: Math.min(1_000, COUNT - start) }, async () => {
          const tenantId = crypto.randomUUID();
          const sealed = await encryptCredentials(keyRing, { tenantId, provider: "lob" }, { api_key: KEY });
          return { tenantId, ...sealed };
        }),
      );
      const json = JSON.stringify(rows);
      await handle.db.execute(sql`insert into tenants (id, name)
        select (r->>'tenantId')::uuid, 'bench' from jsonb_array_elements(${json}::jsonb) as r`);
      await handle.db.execute(sql`insert into integration_connections (tenant_id, provider, credentials, key_version)
        select (r->>'tenantId')::uuid, 'lob', r->'credentials', r->>'keyVersion'
        from jsonb_array_elements(${json}::jsonb) as r`);
    }
    const env = { ...process.env, LOB_API_URL: lob.url };

    // Baseline: the provider alone, at the sweep's total concurrency.
    const http = createProviderHttpClient({});
    const { url, init } = probeRequest(providerConfig("lob", env), { api_key: KEY });
    const limit = pLimit(CHILDREN * PROBE_CONCURRENCY);
    const probe = () => limit(() => http.request({ provider: "lob", operation: "bench", url, ...init }));
    // Warm-up (connections, JIT) so neither side is charged for first-time costs.
    await Promise.all(Array.from({ length: 500 }, probe));
    const t0 = performance.now();
    await Promise.all(Array.from({ length: COUNT }, probe));
    const providerMs = performance.now() - t0;

    // The sweep: chunks run in-process as the provider queue would run them.
    const counted = counting(handle.db);
    const chunks: string[][] = [];
    const jobs: JobQueue = {
      trigger: async () => ({ id: "bench", isCached: false }),
      batchTrigger: async (_taskId, items) => {
        for (const item of items) chunks.push((item.payload as { connectionIds: string[] }).connectionIds);
        return { batchId: "bench", runCount: items.length };
      },
    };
    const deps = buildDeps({ db: counted.db, keyRing, jobs, env });
    const t1 = performance.now();
    await runHealthSweep(deps, { sweepId: "bench" });
    const children = pLimit(CHILDREN);
    const results = await Promise.all(chunks.map((ids) => children(() => checkConnections(deps, ids))));
    const sweepMs = performance.now() - t1;
    const checked = results.reduce((n, r) => n + r.checked, 0);
    const [stored] = rowsOf<{ n: number }>(
      await handle.db.execute(sql`select count(*)::int as n from connection_health_checks`),
    );
    if (checked !== COUNT || stored?.n !== COUNT) throw new Error(`checked ${checked}, stored ${stored?.n}`);
    return [
      `health-sweep: ${COUNT} connections, ${LATENCY_MS} ms probes, ${CHILDREN}x${PROBE_CONCURRENCY} in flight`,
      `  sweep ${(sweepMs / 1000).toFixed(2)} s = ${((sweepMs / INTERVAL_MS) * 100).toFixed(2)} % of the 5-minute interval (goal < 10 %)`,
      `  provider alone ${(providerMs / 1000).toFixed(2)} s; sweep / provider alone = ${(sweepMs / providerMs).toFixed(2)}x`,
      `  database statements per check = ${(counted.count() / checked).toFixed(3)} (goal <= 1)`,
    ].join("\n");
  } finally {
    await lob.close();
    await handle.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  process.stdout.write(`${await benchHealthSweep()}\n`);
}
