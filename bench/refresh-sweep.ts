import { neonConfig } from "@neondatabase/serverless";
import { tasks } from "@trigger.dev/sdk";
import { sql } from "drizzle-orm";
import { migrateLocalRuntime } from "../local/migrate-local-runtime.ts";
import { startRuntime } from "../local/runtime.ts";
import { encryptCredentials } from "../src/connections/credential-cipher.ts";
import type { BatchRefreshSummary } from "../src/connections/refresh-due-tokens-across-tenants.ts";
import type { KeyRing } from "../src/crypto/key-ring.ts";
import { getKeyRing } from "../src/crypto/load-key-ring.ts";
import { migrate } from "../src/db/migrate.ts";
import { openDb } from "../src/db/open-db.ts";
import type { Db } from "../src/db/types.ts";
import { renewAccessToken } from "../src/providers/oauth-client.ts";
import { providerConfig } from "../src/providers/provider-config.ts";
import { createProviderHttpClient, providerTimeoutFromEnv } from "../src/providers/provider-http-client.ts";
import { type BridgeChild, startBridgeChild } from "./bridge-child.ts";
import { type ProviderChild, startProviderChild } from "./provider-child.ts";

/**
 * The token endpoint's answer time (BENCH_REFRESH_LATENCY_MS, default 50 ms). At 50 ms and a cap
 * of 100 the ideal pace is 2,000 refreshes a second, more than one core of this machine can make
 * even for the provider-only run: both runs are CPU-bound and their ratio is close to their CPU
 * ratio. A longer latency (Google's token endpoint answers in 100-300 ms) shows the latency-bound
 * case, where the sweep's own work hides behind the provider's.
 */
const LATENCY_MS = Number(process.env.BENCH_REFRESH_LATENCY_MS ?? 50);
/** The provider's own limit in this benchmark (GOOGLE_DRIVE_CONCURRENCY_LIMIT). */
const CAP = Number(process.env.BENCH_REFRESH_CONCURRENCY ?? 100);

/**
 * `count` tenants, each with one Google Drive connection expiring in ten minutes, whose refresh
 * tokens are `<prefix>_<i>`.
 */
async function seed(db: Db, keyRing: KeyRing, prefix: string, count: number): Promise<void> {
  await db.execute(sql`truncate tenants cascade`);
  const expiresAt = new Date(Date.now() + 10 * 60_000);
  for (let start = 0; start < count; start += 1_000) {
    const rows = await Promise.all(
      Array.from({ length: Math.min(1_000, count - start) }, async (_, i) => {
        const tenantId = crypto.randomUUID();
        const sealed = await encryptCredentials(
          keyRing,
          { tenantId, provider: "google_drive" },
          { access_token: `at_${start + i}`, refresh_token: `${prefix}_${start + i}` },
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

/** The provider alone: N refresh calls through the same client, at the same cap, to the same simulator. */
async function providerOnly(provider: ProviderChild, count: number) {
  const http = createProviderHttpClient({ timeoutMs: providerTimeoutFromEnv(process.env) });
  const config = providerConfig("google_drive", process.env);
  // Warm-up (connections, JIT) so the measured run is not charged for first-time costs.
  await provider.seed("rt_warm", CAP * 2);
  await Promise.all(
    Array.from({ length: CAP * 2 }, (_, i) =>
      renewAccessToken(http, config, { refresh_token: `rt_warm_${i}` }),
    ),
  );
  await provider.seed("rt_only", count);
  await provider.reset();
  let next = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await Promise.all(
    Array.from({ length: CAP }, async () => {
      while (next < count) {
        const i = next++;
        await renewAccessToken(http, config, { refresh_token: `rt_only_${i}` }).catch((err: Error) => {
          throw new Error(
            `provider-only call failed: ${err.message} (${String((err.cause as Error)?.cause ?? err.cause)})`,
          );
        });
      }
    }),
  );
  const wallMs = performance.now() - started;
  const usage = process.cpuUsage(cpu);
  const cpuMs = (usage.user + usage.system) / 1000;
  return { wallMs, cpuMs, stats: await provider.stats("rt_only") };
}

type Runtime = Awaited<ReturnType<typeof startRuntime>>;

/** Triggers `token-refresh-sweep` through the SDK and waits for the run to end. */
async function sweepOnce(runtime: Runtime) {
  const { id } = await tasks.trigger("token-refresh-sweep", {});
  for (;;) {
    const run = await runtime.executor.store.get(id);
    if (run?.status === "completed" || run?.status === "failed") return { ...run, id };
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * One trial at `count` due connections, provider answering in 50 ms with a cap of CAP: the
 * provider-only run, then the real path — `token-refresh-sweep` triggered through the SDK to the
 * local runtime, executed by its executor with its queue limits — on the same simulator, which
 * runs in its own process.
 */
export async function refreshSweepTrial(count: number): Promise<string> {
  // A loaded shared machine can starve a call past the default 10 s: both runs get 60 s.
  process.env.PROVIDER_TIMEOUT_MS ??= "60000";
  Object.assign(process.env, { GOOGLE_DRIVE_CONCURRENCY_LIMIT: String(CAP) });
  const provider = await startProviderChild();
  Object.assign(process.env, {
    GOOGLE_DRIVE_TOKEN_URL: provider.tokenUrl,
    GOOGLE_DRIVE_CLIENT_ID: "bench",
    GOOGLE_DRIVE_CLIENT_SECRET: "bench-secret",
  });
  const handle = await openDb({ url: process.env.BENCH_DATABASE_URL ?? "memory://", poolMax: 10 });
  // A local PostgreSQL is reached through the WebSocket bridge that stands in for Neon's proxy
  // (remote in production): it runs in its own process, its CPU reported on its own line.
  // BENCH_BRIDGE=in-process keeps it in this process, as `npm start` does.
  let bridge: BridgeChild | undefined;
  if (handle.kind === "postgres" && process.env.BENCH_BRIDGE !== "in-process") {
    bridge = await startBridgeChild();
    const port = bridge.port;
    neonConfig.wsProxy = (host, targetPort) => `127.0.0.1:${port}/v1?address=${host}:${targetPort}`;
  }
  let runtime: Runtime | undefined;
  try {
    await provider.setLatency(LATENCY_MS);
    const only = await providerOnly(provider, count);
    await migrate(handle);
    await migrateLocalRuntime(handle);
    const keyRing = await getKeyRing();
    runtime = await startRuntime({
      db: handle,
      port: 0,
      secretKey: "tr_bench",
      sandbox: false,
      cron: false,
      advertise: false,
      dashboard: "off",
    });
    // Warm-up, as the provider-only run has: the first run of the task file starts its worker and
    // imports the file, and the runtime boots a spare worker beside it. That start is reported on
    // its own line; the measured run starts warm, so its ratio is the per-refresh cost.
    // The same small sweep twice, cold then warm: their difference is the start a sweep pays
    // whenever its worker is not running (the local runtime stops a worker idle for 5 minutes and
    // the sweep runs every 10; on Trigger.dev a run may land on a fresh machine).
    const small = async (prefix: string) => {
      await seed(handle.db, keyRing, prefix, CAP * 2);
      await provider.seed(prefix, CAP * 2);
      const t0 = performance.now();
      await sweepOnce(runtime!);
      return performance.now() - t0;
    };
    const coldMs = await small("rt_coldsweep");
    const warmSmallMs = await small("rt_warmsweep");
    await seed(handle.db, keyRing, "rt_sweep", count);
    await provider.seed("rt_sweep", count);
    await provider.reset();
    const bridgeCpuBefore = await bridge?.cpuMs();
    const cpu = process.cpuUsage();
    const started = performance.now();
    const run = await sweepOnce(runtime);
    const wallMs = performance.now() - started;
    const usage = process.cpuUsage(cpu);
    const cpuMs = (usage.user + usage.system) / 1000;
    const bridgeCpuMs = bridge ? (await bridge.cpuMs()) - bridgeCpuBefore! : undefined;
    const stats = await provider.stats("rt_sweep");
    const out = run.output as BatchRefreshSummary;
    if (run.status !== "completed") throw new Error(`sweep run ${run.status}: ${JSON.stringify(run.error)}`);
    const exact = stats.refreshCalls === count && stats.distinct === count && out.refreshed === count;
    // The summary is the last attempt's: a retried sweep would hide the first attempt's work.
    const retried =
      run.attempts > 1
        ? (await runtime.executor.attempts.list(run.id)).map(
            (a) => `  attempt ${a.number} ${a.status}: ${JSON.stringify(a.error ?? null).slice(0, 300)}`,
          )
        : [];
    return [
      `refresh sweep (${handle.kind}, N=${count}, provider latency ${LATENCY_MS} ms, provider cap ${CAP}, simulator in its own process)`,
      `  provider-only: ${only.wallMs.toFixed(0)} ms, ${(only.cpuMs / count).toFixed(3)} ms CPU per call, peak ${only.stats.peakConcurrency} in flight`,
      `  sweep through the executor (warm worker): ${wallMs.toFixed(0)} ms → ratio to provider-only ${(wallMs / only.wallMs).toFixed(2)}`,
      `  cold start of a sweep run (first run of its task file): ${(coldMs - warmSmallMs).toFixed(0)} ms (${CAP * 2} refreshes: ${coldMs.toFixed(0)} ms cold, ${warmSmallMs.toFixed(0)} ms warm)`,
      `  refresh calls ${stats.refreshCalls} (exactly N: ${exact ? "yes" : "NO"}), stale refresh-token uses ${stats.staleUses}, provider peak concurrency ${stats.peakConcurrency}`,
      `  statements per refresh ${(out.statements / count).toFixed(4)} (${out.statements} for ${count}), CPU per refresh ${(cpuMs / count).toFixed(3)} ms`,
      ...(bridgeCpuMs === undefined
        ? []
        : [
            `  database bridge (stand-in for Neon's proxy, own process): ${(bridgeCpuMs / count).toFixed(3)} ms CPU per refresh, not counted above`,
          ]),
      ...retried,
    ].join("\n");
  } finally {
    await runtime?.close(1_000);
    await handle.close();
    await bridge?.close();
    await provider.close();
  }
}

/** `npm run bench refresh-sweep`: N = BENCH_REFRESH_N (default 10,000). */
export const benchRefreshSweep = () => refreshSweepTrial(Number(process.env.BENCH_REFRESH_N ?? 10_000));
