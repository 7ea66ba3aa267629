import { relative } from "node:path";
import { pathToFileURL } from "node:url";
import { parentPort, workerData } from "node:worker_threads";
import type { PGlite } from "@electric-sql/pglite";
import { resourceCatalog } from "@trigger.dev/core/v3";
import { StandardResourceCatalog } from "@trigger.dev/core/v3/workers";
import { configure } from "@trigger.dev/sdk";
import { drizzle } from "drizzle-orm/pglite";
import * as schema from "../../db/schema.ts";
import { openDb } from "../../src/db/open-db.ts";
import type { Db } from "../../src/db/types.ts";
import { setDeps } from "../../src/deps.ts";
import { logger } from "../../src/observability/logger.ts";
import { runError } from "../executor/attempt-log.ts";
import { PersistedRunMetadata } from "../executor/persisted-run-metadata.ts";
import { installRunContext } from "../executor/run-context.ts";
import { localDeps } from "../local-deps.ts";
import { PglitePortClient } from "./pglite-port-client.ts";
import type { AttemptOutcome } from "./run-attempt.ts";
import { runAttempt } from "./run-attempt.ts";
import type {
  CompiledFile,
  FromWorker,
  TaskWorkerSetup,
  ToWorker,
  WorkerOutcome,
} from "./task-worker-protocol.ts";

// A worker thread for one task file, as Trigger.dev's worker loads a run: only the init file(s)
// and that file are imported, so a task that needs another file's side effects fails here too.
// It imports the init file(s) at once and its task file when given one (a spare waits for that).
// This module runs compiled (bundle-task-files.ts): stack traces map back to the TypeScript sources.
process.setSourceMapsEnabled(true);
const setup = workerData as TaskWorkerSetup;
const port = parentPort!;
const post = (message: FromWorker) => port.postMessage(message);

async function openDatabase(): Promise<Db> {
  if (setup.database.kind === "postgres") return (await openDb({ url: setup.database.url, poolMax: 5 })).db;
  const client = new PglitePortClient(setup.database.port);
  return drizzle({ client: client as unknown as PGlite, schema }) as unknown as Db;
}

/**
 * Everything but the task file: run context, SDK catalog, dependencies and the init file(s). A
 * worker does this as soon as it starts, before it is given its file, so a spare one is ready to
 * take any file's first run.
 */
async function warm(): Promise<StandardResourceCatalog> {
  installRunContext();
  const catalog = new StandardResourceCatalog();
  resourceCatalog.setGlobalResourceCatalog(catalog);
  setDeps((await localDeps(await openDatabase())).deps);
  for (const file of setup.initFiles) await importFile(catalog, file);
  return catalog;
}

async function importFile(catalog: StandardResourceCatalog, file: CompiledFile): Promise<void> {
  catalog.setCurrentFileContext(relative(process.cwd(), file.source), "default");
  await import(pathToFileURL(file.module).href);
  catalog.clearCurrentFileContext();
}

/** The worker's one task file, after the init files, with the SDK pointed at the runtime. */
async function load(message: Extract<ToWorker, { type: "load" }>): Promise<StandardResourceCatalog> {
  const catalog = await warming;
  configure({ baseURL: message.baseURL, accessToken: setup.secretKey });
  if (!setup.initFiles.some((init) => init.source === message.file.source)) {
    await importFile(catalog, message.file);
  }
  return catalog;
}

const warming = warm();
warming.catch(() => undefined);

const running = new Map<string, AbortController>();
const failures = new Map<string, () => Promise<void>>();

function toMessage(outcome: AttemptOutcome): WorkerOutcome {
  if (outcome.kind === "invalid-payload") return { kind: "invalid-payload", error: runError(outcome.error) };
  if (outcome.kind === "completed") {
    const output = outcome.output === undefined ? null : JSON.parse(JSON.stringify(outcome.output));
    return { kind: "completed", output, metadata: outcome.metadata };
  }
  const { error, delayMs, metadata } = outcome;
  return { kind: "failed", error: runError(error), delayMs, metadata };
}

async function run(catalog: StandardResourceCatalog, message: Extract<ToWorker, { type: "run" }>) {
  const task = catalog.getTask(message.taskId);
  if (!task) {
    const error = { name: "Error", message: `Task "${message.taskId}" is not defined by its file` };
    return { kind: "failed", error, delayMs: undefined, metadata: undefined } satisfies WorkerOutcome;
  }
  const controller = new AbortController();
  running.set(message.runId, controller);
  const metadata = new PersistedRunMetadata(message.metadata as never, async (current) =>
    post({ type: "metadata", runId: message.runId, metadata: current }),
  );
  try {
    const outcome = await runAttempt(
      { id: task.id, run: task.fns.run, parsePayload: task.fns.parsePayload },
      {
        ctx: message.ctx,
        payload: message.payload,
        retry: message.retry,
        signal: controller.signal,
        metadata,
      },
    );
    await metadata.flush();
    if (outcome.kind === "failed" && outcome.delayMs === undefined) {
      failures.set(message.runId, outcome.runFailureHooks);
    }
    return toMessage(outcome);
  } finally {
    running.delete(message.runId);
  }
}

let loaded: Promise<StandardResourceCatalog> | undefined;

port.on("message", (message: ToWorker) => {
  if (message.type === "load") {
    loaded = load(message);
    loaded.then(
      () => post({ type: "ready" }),
      (err) => post({ type: "load-error", error: runError(err) }),
    );
  } else if (message.type === "abort") running.get(message.runId)?.abort(new Error(message.reason));
  else if (message.type === "failure-hooks") {
    const hooks = failures.get(message.runId) ?? (async () => {});
    failures.delete(message.runId);
    void hooks()
      .catch((err) => logger.error("onFailure hook failed", { runId: message.runId, err }))
      .finally(() => post({ type: "failure-hooks-done", runId: message.runId }));
  } else {
    // Runs are sent only once the worker has posted "ready".
    void loaded!
      .then((catalog) => run(catalog, message))
      .then(
        (outcome) => post({ type: "outcome", runId: message.runId, outcome }),
        (err) =>
          post({
            type: "outcome",
            runId: message.runId,
            outcome: toMessage({
              kind: "failed",
              error: err,
              delayMs: undefined,
              metadata: undefined,
              runFailureHooks: async () => {},
            }),
          }),
      );
  }
});
