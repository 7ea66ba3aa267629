import { resolve } from "node:path";
import type { PGlite } from "@electric-sql/pglite";
import { neonConfig, Pool } from "@neondatabase/serverless";
import { drizzle as drizzleNeon } from "drizzle-orm/neon-serverless";
import ws from "ws";
import * as schema from "../../db/schema.ts";
import { getConfig } from "../config.ts";
import { ConfigError } from "../errors.ts";
import type { DatabaseKind, Db } from "./types.ts";
import { startWsBridge, type WsBridge } from "./ws-bridge.ts";

export interface DbHandle {
  db: Db;
  kind: DatabaseKind;
  /** The Neon pool (postgres kind), for dedicated connections such as the migration lock. */
  pool?: Pool;
  /** The embedded instance (pglite kind). */
  pglite?: PGlite;
  /**
   * Where migrations connect (postgres kind): `DATABASE_URL_UNPOOLED` when the handle was opened
   * from the environment and it is set, otherwise the URL the pool uses.
   */
  migrationUrl?: string;
  /** The URL the pool connects to (postgres kind), for another thread or process to open. */
  connectionUrl?: string;
  close(): Promise<void>;
}

export interface OpenDbOptions {
  /** Defaults to DATABASE_URL; unset → PGlite under DATA_DIR/pglite. */
  url?: string | undefined;
  /** Load a PGlite data directory snapshot (tests start from a migrated template). */
  loadDataDir?: Blob | File;
  /** Pool size (postgres kind); defaults to DATABASE_POOL_MAX, else 1 (see poolSettings). */
  poolMax?: number;
}

/**
 * Pool settings for the Neon driver. A deployed Trigger.dev worker runs one run per process, and
 * a run's queries are sequential (every transaction uses its own `tx`; PGlite, one session, is the
 * same shape), so one connection per process is enough and is what Trigger.dev's database guide
 * recommends; `DATABASE_POOL_MAX` raises it for processes that fan out (sweeps, the local runtime).
 * Idle connections close after DATABASE_POOL_IDLE_MS; the idle timer is unref'd, but the Neon
 * WebSocket of an open connection holds the process until then.
 */
export function poolSettings(poolMax: number | undefined): { max: number; idleTimeoutMillis: number } {
  const config = getConfig();
  return { max: poolMax ?? config.DATABASE_POOL_MAX ?? 1, idleTimeoutMillis: config.DATABASE_POOL_IDLE_MS };
}

const LOCAL_HOSTS = new Set(["localhost", "127.0.0.1", "::1", "[::1]"]);
let bridge: Promise<WsBridge> | undefined;
let bridgeUsers = 0;

/** PGlite is loaded only when asked for (never by deployed workers: see trigger.config.ts). */
async function openPglite(dataDir: string | undefined, loadDataDir: Blob | undefined): Promise<DbHandle> {
  const { openPglite: open } = await import("./open-pglite.ts");
  return open(dataDir, loadDataDir);
}

async function openPostgres(
  url: string,
  migrationUrl: string,
  poolMax: number | undefined,
): Promise<DbHandle> {
  const host = new URL(url).hostname;
  neonConfig.webSocketConstructor = ws;
  const local = LOCAL_HOSTS.has(host);
  if (local) {
    // No Neon proxy on this machine: bridge the driver's WebSocket to the local server's TCP port.
    bridge ??= startWsBridge();
    bridgeUsers++;
    const { port } = await bridge;
    neonConfig.wsProxy = (targetHost, targetPort) =>
      `127.0.0.1:${port}/v1?address=${targetHost}:${targetPort}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineConnect = false;
    neonConfig.pipelineTLS = false;
    neonConfig.forceDisablePgSSL = true;
    neonConfig.coalesceWrites = false;
  }
  const pool = new Pool({ connectionString: url, ...poolSettings(poolMax), allowExitOnIdle: true });
  pool.on("error", () => {
    // An idle client's connection dropped; the pool replaces it on next use.
  });
  const db = drizzleNeon({ client: pool, schema }) as unknown as Db;
  return {
    db,
    kind: "postgres",
    pool,
    migrationUrl,
    connectionUrl: url,
    close: async () => {
      await pool.end();
      if (local && --bridgeUsers === 0 && bridge) {
        const current = bridge;
        bridge = undefined;
        await (await current).close();
      }
    },
  };
}

/**
 * The one place a database connection is made (Node only). `DATABASE_URL` picks the driver:
 * unset or `pglite://dir` → embedded PGlite behind an exclusive lock file; `memory://` →
 * ephemeral PGlite; `postgres://` / `postgresql://` → the Neon serverless Pool. On Neon,
 * DATABASE_URL is the pooled endpoint (`-pooler`) and DATABASE_URL_UNPOOLED the direct one,
 * which `migrate()` uses.
 */
export async function openDb(options: OpenDbOptions = {}): Promise<DbHandle> {
  const config = getConfig();
  const url = options.url ?? config.DATABASE_URL;
  if (!url) return openPglite(resolve(config.DATA_DIR, "pglite"), options.loadDataDir);
  if (url === "memory://") return openPglite(undefined, options.loadDataDir);
  if (url.startsWith("pglite://"))
    return openPglite(resolve(url.slice("pglite://".length)), options.loadDataDir);
  if (url.startsWith("postgres://") || url.startsWith("postgresql://")) {
    const direct = options.url === undefined ? config.DATABASE_URL_UNPOOLED : undefined;
    return openPostgres(url, direct ?? url, options.poolMax);
  }
  throw new ConfigError("DATABASE_URL must be postgres://…, pglite://<dir> or memory://", {
    context: { scheme: url.split(":")[0] },
  });
}
