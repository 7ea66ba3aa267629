import type { Server } from "node:http";
import { configure } from "@trigger.dev/sdk";
import type { RouteTable } from "../src/capabilities/create-route-table.ts";
import { inboundRoutes } from "../src/capabilities/inbound-routes.ts";
import { getConfig, isolateTaskFiles } from "../src/config.ts";
import { checkStoredKeys } from "../src/crypto/check-stored-keys.ts";
import { getKeyRing } from "../src/crypto/load-key-ring.ts";
import { type DbHandle, openDb } from "../src/db/open-db.ts";
import { setDeps } from "../src/deps.ts";
import { plaidKeysFromEnv, setIngressDeps } from "../src/ingress/ingress-deps.ts";
import { createTriggerJobQueue } from "../src/jobs.ts";
import { logger } from "../src/observability/logger.ts";
import { bearerKey } from "./api/authorize.ts";
import { handleCliRequest } from "./cli-endpoint.ts";
import { createDashboard } from "./dashboard/create-dashboard.ts";
import { type DashboardMode, dashboardMode } from "./dashboard/dashboard-mode.ts";
import { CronRunner } from "./executor/cron.ts";
import { Executor } from "./executor/executor.ts";
import { createInProcessJobQueue } from "./executor/in-process-job-queue.ts";
import { executorDefaults } from "./executor/project-config.ts";
import { loadTaskCatalog, type TaskCatalog } from "./executor/task-catalog.ts";
import { localDeps } from "./local-deps.ts";
import { migrateLocalRuntime } from "./migrate-local-runtime.ts";
import { serve } from "./node-http.ts";
import { handleOAuthDonePage } from "./oauth-done-page.ts";
import { databaseIdentity, newRuntimeToken, writeRuntimeRecord } from "./runtime-file.ts";
import { createRuntimeHandler } from "./runtime-routes.ts";
import { shouldUseSandbox } from "./sandbox/detect-sandbox.ts";
import { type Sandbox, startSandbox } from "./sandbox/start-sandbox.ts";
import { TaskFileWorkers, type WorkerDatabase } from "./worker/task-file-workers.ts";

export interface RuntimeOptions {
  port?: number;
  /** An open database (tests); otherwise DATABASE_URL is opened and migrated. */
  db?: DbHandle;
  taskDirs?: readonly string[];
  /** Key the SDK must present (TRIGGER_SECRET_KEY); the runtime accepts only this one. */
  secretKey?: string;
  maxConcurrency?: number;
  cron?: boolean;
  sandbox?: boolean;
  host?: string;
  /** Event types the webhook doors accept (tests); default: every installed capability's routes. */
  inboundRoutes?: RouteTable;
  /** Only execute these runs and their children; also skips re-queueing others' interrupted runs. */
  scope?: Set<string>;
  /**
   * Write DATA_DIR/runtime.json so CLI processes find this runtime and send it their commands
   * (default: unless scoped, as the CLI's own short-lived runtime is).
   */
  advertise?: boolean;
  /** How long a claimed run is held without renewal before the reaper takes it back (default 60 s). */
  leaseMs?: number;
  /** The browser dashboard: with writes, read-only or off (default: SWITCHBOARD_DASHBOARD). */
  dashboard?: DashboardMode;
  /**
   * Run each attempt in a worker thread per task file that imports only the init file and that
   * file, as Trigger.dev does (default: on, unless SWITCHBOARD_ISOLATE_TASK_FILES is 0/false/off/no).
   */
  isolateTaskFiles?: boolean;
  /** How long a task file's worker stays up without runs before it stops (default 5 minutes). */
  workerIdleMs?: number;
}

export interface Runtime {
  url: string;
  db: DbHandle;
  catalog: TaskCatalog;
  executor: Executor;
  /** The worker threads attempts run in (one per task file), unless task files share this process. */
  workers: TaskFileWorkers | undefined;
  cron: CronRunner;
  sandbox: Sandbox | undefined;
  close(graceMs?: number): Promise<void>;
}

/**
 * The offline runtime: database, the webhook router, a stand-in for the Trigger.dev
 * trigger API on the same port, the in-process executor and cron. The real SDK is pointed at it,
 * so task code and app code trigger runs exactly as in production.
 */
export async function startRuntime(options: RuntimeOptions = {}): Promise<Runtime> {
  const config = getConfig();
  const useSandbox = options.sandbox ?? shouldUseSandbox();
  const sandbox = useSandbox ? await startSandbox() : undefined;
  if (sandbox) {
    // Only where the simulators listen: the environment also holds their per-start signing keys.
    logger.warn("SANDBOX MODE: providers are local simulators (SWITCHBOARD_SANDBOX=0 turns this off)", {
      simulators: Object.fromEntries(Object.entries(sandbox.env).filter(([name]) => name.endsWith("_URL"))),
    });
    for (const [name, value] of Object.entries(sandbox.env)) process.env[name] ??= value;
  }
  const ownsDb = !options.db;
  // One process runs many tasks at once here, unlike a Trigger.dev worker: a real pool.
  const db = options.db ?? (await openDb({ poolMax: config.DATABASE_POOL_MAX ?? 10 }));
  let runnerToClose: TaskFileWorkers | undefined;
  try {
    if (ownsDb) {
      await migrateLocalRuntime(db);
      // Fail loudly, naming the key version, if the stored credentials need a key we do not have.
      await checkStoredKeys(db.db, await getKeyRing(), { record: true });
    }
    const taskDirs = options.taskDirs ??
      config.SWITCHBOARD_TASK_DIRS?.split(",").map((dir) => dir.trim()) ?? ["trigger"];
    const catalog = await loadTaskCatalog(taskDirs);
    const secretKey = options.secretKey ?? config.TRIGGER_SECRET_KEY ?? "tr_dev_local";
    let url = "";
    const runner =
      (options.isolateTaskFiles ?? isolateTaskFiles())
        ? new TaskFileWorkers({
            taskDirs,
            taskFiles: catalog.list().map((task) => task.manifest.filePath),
            // The CLI's own runtime runs one task (and its children): no spare after the first.
            replenishSpare: !options.scope,
            ...(options.workerIdleMs ? { idleMs: options.workerIdleMs } : {}),
            baseURL: () => url,
            secretKey,
            database: workerDatabase(db),
          })
        : undefined;
    runnerToClose = runner;
    // Task files that do not compile (or a cache folder that cannot be made) are fatal here, not
    // a failure of every later run (ADR 027).
    await runner?.compiled();
    const executor = new Executor({
      db: db.db,
      catalog,
      maxConcurrency: options.maxConcurrency ?? 10,
      ...(options.scope ? { scope: options.scope } : {}),
      ...(options.leaseMs ? { leaseMs: options.leaseMs } : {}),
      defaults: executorDefaults(),
      ...(runner ? { runner } : {}),
    });
    const cron = new CronRunner(db.db, catalog, executor);
    const cliToken = newRuntimeToken();
    const dashboard = createDashboard({
      db: db.db,
      catalog,
      executor,
      cron,
      mode: options.dashboard ?? dashboardMode(process.env.SWITCHBOARD_DASHBOARD),
      sandbox: Boolean(sandbox),
      bearer: bearerKey(secretKey),
      listenHost: options.host ?? "127.0.0.1",
    });
    let self: Runtime | undefined;
    const routes = createRuntimeHandler({
      db: db.db,
      catalog,
      executor,
      cron,
      authorize: bearerKey(secretKey),
      databaseKind: db.kind,
      sandbox: Boolean(sandbox),
      dashboard,
      listenHost: options.host ?? "127.0.0.1",
    });
    const handler = async (request: Request) =>
      (self && (await handleCliRequest(request, () => self!, cliToken))) ??
      (await handleOAuthDonePage(request, db.db)) ??
      routes(request);
    const { server, url: listening } = await serve(handler, options.port ?? config.PORT, options.host);
    url = listening;
    // Child runs triggered inside runs go through the real SDK to this same runtime.
    configure({ baseURL: url, accessToken: secretKey });
    const jobs = createTriggerJobQueue();
    const { deps, oauth } = await localDeps(db.db, { jobs, publicBaseUrl: config.PUBLIC_BASE_URL ?? url });
    setDeps(deps);
    setIngressDeps({
      ...deps,
      // The webhook doors enqueue in-process: no HTTP round trip to this runtime on the request path.
      jobs: createInProcessJobQueue(executor, catalog),
      oauth,
      inboundRoutes: options.inboundRoutes ?? inboundRoutes,
      plaidKeys: plaidKeysFromEnv(process.env),
    });
    const removeRecord =
      (options.advertise ?? !options.scope)
        ? writeRuntimeRecord(config.DATA_DIR, {
            pid: process.pid,
            url,
            token: cliToken,
            database: databaseIdentity(),
            ...(sandbox ? { sandboxEnv: sandbox.env } : {}),
          })
        : () => {};
    const requeued = options.scope ? 0 : await executor.store.requeueAbandoned();
    if (requeued > 0) logger.warn("re-queued runs interrupted by the last shutdown", { count: requeued });
    executor.start();
    if (options.cron !== false) await cron.start();
    logger.info("local runtime ready", { url, database: db.kind, tasks: catalog.list().map((t) => t.id) });
    self = {
      url,
      db,
      catalog,
      executor,
      workers: runner,
      cron,
      sandbox,
      close: async (graceMs = config.SWITCHBOARD_SHUTDOWN_GRACE_MS) => {
        cron.stop();
        await closeServer(server);
        await executor.stop(graceMs);
        await runner?.close();
        setDeps(undefined);
        setIngressDeps(undefined);
        removeRecord();
        await sandbox?.close();
        if (ownsDb) await db.close();
      },
    };
    return self;
  } catch (err) {
    await runnerToClose?.close();
    await sandbox?.close();
    if (ownsDb) await db.close();
    throw err;
  }
}

/** How a task worker reaches the runtime's database: its own pool, or the one PGlite through a port. */
function workerDatabase(db: DbHandle): WorkerDatabase {
  if (db.kind === "pglite" && db.pglite) return { kind: "pglite", pglite: db.pglite };
  if (db.connectionUrl) return { kind: "postgres", url: db.connectionUrl };
  throw new Error("Task workers need the database's URL or its PGlite instance");
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}
