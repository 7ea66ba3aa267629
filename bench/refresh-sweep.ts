import { sql } from "drizzle-orm";
import { startOAuthSimulator } from "../local/sandbox/oauth-server.ts";
import type { ConnectionDeps } from "../src/connections/connection-deps.ts";
import { createConnectionNotifier } from "../src/connections/connection-notifier.ts";
import { encryptCredentials } from "../src/connections/credential-cipher.ts";
import { refreshConnectionToken } from "../src/connections/refresh-connection-token.ts";
import { refreshDueTokensAcrossTenants } from "../src/connections/refresh-due-tokens-across-tenants.ts";
import { parseKeyRing } from "../src/crypto/key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import type { Db } from "../src/db/types.ts";
import type { JobQueue } from "../src/jobs.ts";
import { createProviderHttpClient } from "../src/providers/provider-http-client.ts";

const N = Number(process.env.BENCH_REFRESH_N ?? 10_000);
const LATENCY_MS = 50;
const CONCURRENCY = Number(process.env.BENCH_REFRESH_CONCURRENCY ?? 100);

/** N tenants, each with one Google Drive connection expiring in ten minutes. */
async function seed(db: Db, deps: ConnectionDeps): Promise<void> {
  await db.execute(sql`truncate tenants cascade`);
  const expiresAt = new Date(Date.now() + 10 * 60_000);
  for (let start = 0; start < N; start += 1_000) {
    const rows = await Promise.all(
      Array.from({ length: Math.min(1_000, N - start) }, async (_, i) => {
        const tenantId = crypto.randomUUID();
        const sealed = await encryptCredentials(
          deps.keyRing,
          { tenantId, provider: "google_drive" },
          {
            access_token: `at_${start + i}`,
            refresh_token: `rt_bench_${start + i}`,
          },
        );
        return { tenantId, ...sealed };
      }),
    );
    const json = JSON.stringify(rows);
    await db.execute(sql`insert into tenants (id, name)
      select (r->>'tenantId')::uuid, 'bench' from jsonb_array_elements(${json}::jsonb) as r`);
    await db.execute(sql`insert into integration_connections (tenant_id, provider, credentials, key_version,
        token_expires_at, refresh_due_at)
      select (r->>'tenantId')::uuid, 'google_drive', r->'credentials', r->>'keyVersion',
        ${expiresAt.toISOString()}::timestamptz, ${new Date(expiresAt.getTime() - 3_600_000).toISOString()}::timestamptz
      from jsonb_array_elements(${json}::jsonb) as r`);
  }
}

/** A JobQueue that runs each triggered refresh in-process with bounded concurrency. */
function inProcessQueue(deps: ConnectionDeps, concurrency: number): JobQueue & { drain(): Promise<void> } {
  const queue: string[] = [];
  let active = 0;
  let idle: (() => void) | undefined;
  const pump = () => {
    while (active < concurrency && queue.length > 0) {
      const id = queue.shift()!;
      active++;
      refreshConnectionToken(deps, { id, tenantId: "" })
        .catch((err) => console.error("refresh failed", err))
        .finally(() => {
          active--;
          pump();
          if (active === 0 && queue.length === 0) idle?.();
        });
    }
  };
  return {
    trigger: async () => ({ id: "unused", isCached: false }),
    batchTrigger: async (_taskId, items) => {
      for (const item of items) queue.push((item.payload as { connectionId: string }).connectionId);
      pump();
      return { batchId: "local", runCount: items.length };
    },
    drain: () =>
      active === 0 && queue.length === 0 ? Promise.resolve() : new Promise<void>((r) => (idle = r)),
  };
}

/**
 * N connections expiring, a token endpoint answering in 50 ms: sweep + fan-out + rotation-safe
 * refresh, against the ideal N × latency / concurrency.
 */
export async function benchRefreshSweep(): Promise<string> {
  const sim = await startOAuthSimulator({ clientId: "bench", clientSecret: "bench-secret" });
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://" });
  try {
    await migrate(handle);
    const keyRing = await parseKeyRing(`b1:${Buffer.alloc(32, 7).toString("base64")}`);
    const deps: ConnectionDeps = {
      db: handle.db,
      keyRing,
      env: {
        GOOGLE_DRIVE_TOKEN_URL: sim.tokenUrl,
        GOOGLE_DRIVE_CLIENT_ID: "bench",
        GOOGLE_DRIVE_CLIENT_SECRET: "bench-secret",
      },
      http: createProviderHttpClient(),
      notifier: createConnectionNotifier({ db: handle.db, keyRing, http: createProviderHttpClient() }),
    };
    await seed(handle.db, deps);
    for (let i = 0; i < N; i++) sim.seedToken(`rt_bench_${i}`);
    sim.setLatency(LATENCY_MS);
    const jobs = inProcessQueue(deps, CONCURRENCY);
    const started = performance.now();
    const sweep = { ...(await refreshDueTokensAcrossTenants(deps)), batches: 0 };
    void jobs;
    await jobs.drain();
    const wallMs = performance.now() - started;
    const ideal = (N * LATENCY_MS) / CONCURRENCY;
    const refreshRequests = sim.requestsTo("POST /token").length;
    return [
      `refresh sweep (${handle.kind}, N=${N}, latency ${LATENCY_MS} ms, concurrency ${CONCURRENCY})`,
      `  claimed ${sweep.claimed} in ${sweep.batches} batches; refresh requests seen by the simulator: ${refreshRequests} (must equal N: ${refreshRequests === N ? "yes" : "NO"})`,
      `  wall ${wallMs.toFixed(0)} ms vs ideal N×latency/concurrency ${ideal.toFixed(0)} ms → ratio ${(wallMs / ideal).toFixed(2)}`,
    ].join("\n");
  } finally {
    await handle.close();
    await sim.close();
  }
}
