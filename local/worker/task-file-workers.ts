import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { MessageChannel, SHARE_ENV, Worker } from "node:worker_threads";
import type { PGlite } from "@electric-sql/pglite";
import { calculateNextRetryDelay } from "@trigger.dev/core/v3";
import { AppError, describeError } from "../../src/errors.ts";
import { logger } from "../../src/observability/logger.ts";
import type { LoadedTask } from "../executor/task-catalog.ts";
import type { AttemptRequest, AttemptRunner } from "./attempt-runner.ts";
import { bundleTaskFiles, type TaskFileBundle } from "./bundle-task-files.ts";
import type { AttemptOutcome } from "./run-attempt.ts";
import { servePglitePort } from "./serve-pglite-port.ts";
import type {
  CompiledFile,
  FromWorker,
  StoredError,
  TaskWorkerSetup,
  ToWorker,
  WorkerOutcome,
} from "./task-worker-protocol.ts";

export type WorkerDatabase = { kind: "pglite"; pglite: PGlite } | { kind: "postgres"; url: string };

export interface TaskFileWorkersOptions {
  /** The task directories: each one's `init.ts` is imported before the task file, as on Trigger.dev. */
  taskDirs: readonly string[];
  /** The runtime's URL (known once it listens): the SDK inside the worker triggers through it. */
  baseURL: () => string;
  secretKey: string;
  database: WorkerDatabase;
  /** The task files (those that define tasks): compiled with the init files when the runner starts. */
  taskFiles: readonly string[];
  /**
   * Start another spare worker each time the spare is taken (default); false keeps to the one
   * started with the runner (a runtime that runs one task, as the CLI's own).
   */
  replenishSpare?: boolean;
  /** A task file's worker that ran nothing for this long stops; its next run starts one (default 5 min). */
  idleMs?: number;
  /**
   * How long an aborted attempt (maxDuration, shutdown, cancel) may take to end before its worker
   * is terminated (a task blocking its event loop never sees the abort; default 3 s).
   */
  abortGraceMs?: number;
  /**
   * Task-file workers kept at most (the spare aside): a file's first run past it stops the least
   * recently used idle worker (default SWITCHBOARD_MAX_TASK_WORKERS, else 8).
   */
  maxWorkers?: number;
}

function maxWorkersOf(option: number | undefined): number {
  if (option !== undefined) return option;
  const fromEnv = Number(process.env.SWITCHBOARD_MAX_TASK_WORKERS?.trim() || 8);
  if (!Number.isInteger(fromEnv) || fromEnv < 1) {
    throw new Error("SWITCHBOARD_MAX_TASK_WORKERS must be a positive integer");
  }
  return fromEnv;
}

/**
 * An error that crossed from a worker, rebuilt so the run stores the same name, message, code
 * and stack (the retry decision was already made in the worker, on the original error).
 */
function toError(stored: StoredError): Error {
  const err = stored.code ? new AppError(stored.code, stored.message) : new Error(stored.message);
  err.name = stored.name;
  if (stored.stack) err.stack = stored.stack;
  return err;
}

interface Pending {
  request: AttemptRequest;
  saves: Promise<void>;
  resolve(outcome: AttemptOutcome): void;
  reject(err: Error): void;
}

/**
 * One worker thread with the init files imported and, once assigned, one task file; it runs that
 * file's attempts.
 */
class TaskWorker {
  readonly thread: Worker;
  private readonly ready: Promise<StoredError | undefined>;
  private readonly pending = new Map<string, Pending>();
  private readonly hooks = new Map<string, () => void>();
  private exited: Error | undefined;
  /** Whether the worker has imported its files (attempts sent from now on start at once). */
  loaded = false;
  /** When it was last given an attempt (the cap on workers stops the least recently used). */
  lastUsed = Date.now();
  /** Stopping (out of the runner's maps): an attempt handed to it goes to the file's next worker. */
  retired = false;
  private idleTimer: NodeJS.Timeout | undefined;

  constructor(
    entry: string,
    setup: Omit<TaskWorkerSetup, "database">,
    database: WorkerDatabase,
    private readonly onExit: (worker: TaskWorker) => void,
    private readonly idleMs: number,
    private readonly abortGraceMs: number,
  ) {
    const channel = database.kind === "pglite" ? new MessageChannel() : undefined;
    if (channel && database.kind === "pglite") servePglitePort(database.pglite, channel.port1);
    const workerDatabase =
      database.kind === "postgres" ? database : { kind: "pglite" as const, port: channel!.port2 };
    this.thread = new Worker(entry, {
      // One environment, as in one process: a variable set after the worker started is seen.
      env: SHARE_ENV,
      workerData: { ...setup, database: workerDatabase } satisfies TaskWorkerSetup,
      transferList: channel ? [channel.port2] : [],
    });
    this.ready = new Promise((resolveReady, rejectReady) => {
      this.thread.on("message", (message: FromWorker) => {
        if (message.type === "ready") {
          this.loaded = true;
          this.idle();
          resolveReady(undefined);
        } else if (message.type === "load-error") {
          // A failed import is not kept: the file's next attempt starts a fresh worker.
          resolveReady(message.error);
          this.retire();
        } else this.receive(message);
      });
      const exit = (err: Error) => {
        if (this.exited) return;
        this.exited = err;
        clearTimeout(this.idleTimer);
        rejectReady(err);
        channel?.port1.close();
        onExit(this);
        for (const pending of this.pending.values()) pending.reject(err);
        this.pending.clear();
        for (const done of this.hooks.values()) done();
        this.hooks.clear();
      };
      this.thread.on("error", (err) => exit(err));
      this.thread.on("exit", (code) =>
        exit(new Error(`The task worker exited (code ${code}) during the attempt`)),
      );
    });
    this.ready.catch(() => undefined);
  }

  private receive(message: Exclude<FromWorker, { type: "ready" | "load-error" }>): void {
    if (message.type === "failure-hooks-done") {
      this.hooks.get(message.runId)?.();
      this.hooks.delete(message.runId);
      this.idle();
      return;
    }
    const pending = this.pending.get(message.runId);
    if (!pending) return;
    if (message.type === "metadata") {
      pending.saves = pending.saves
        .then(() => pending.request.saveMetadata(message.metadata))
        .catch((err) => logger.warn("could not save run metadata", { runId: message.runId, err }));
      return;
    }
    this.pending.delete(message.runId);
    this.idle();
    void pending.saves.then(() => pending.resolve(this.outcome(message.runId, message.outcome)));
  }

  private outcome(runId: string, outcome: WorkerOutcome): AttemptOutcome {
    if (outcome.kind === "completed") return outcome;
    if (outcome.kind === "invalid-payload") return { kind: "invalid-payload", error: toError(outcome.error) };
    return {
      ...outcome,
      error: toError(outcome.error),
      runFailureHooks: () =>
        new Promise<void>((done) => {
          if (this.exited) return done();
          this.hooks.set(runId, done);
          this.send({ type: "failure-hooks", runId });
        }),
    };
  }

  private send(message: ToWorker): void {
    this.thread.postMessage(message);
  }

  /** (Re)starts the idle clock: a worker with nothing to do for idleMs stops (and frees its memory). */
  private idle(): void {
    clearTimeout(this.idleTimer);
    this.idleTimer = setTimeout(() => {
      if (this.pending.size === 0 && this.hooks.size === 0) this.retire();
      else this.idle();
    }, this.idleMs);
    this.idleTimer.unref();
  }

  /**
   * Stops the worker, out of the runner's maps at once (not on its later exit), so no run is sent
   * to a worker that is stopping.
   */
  retire(): void {
    this.retired = true;
    clearTimeout(this.idleTimer);
    this.onExit(this);
    void this.thread.terminate();
  }

  /** Gives the worker its task file (it imports it once its init files are imported). */
  assign(file: CompiledFile, baseURL: string): void {
    this.send({ type: "load", file, baseURL });
  }

  /** Resolves once the worker has imported its files (or failed to): then attempts start at once. */
  started(): Promise<unknown> {
    return this.ready.catch(() => undefined);
  }

  async run(taskId: string, request: AttemptRequest): Promise<AttemptOutcome | "retired"> {
    const loadError = await this.ready;
    if (loadError) return loadFailure(toError(loadError), request);
    if (this.retired) return "retired";
    if (this.exited) throw this.exited;
    this.lastUsed = Date.now();
    const runId = request.ctx.run.id;
    return new Promise<AttemptOutcome>((resolveRun, rejectRun) => {
      this.pending.set(runId, { request, saves: Promise.resolve(), resolve: resolveRun, reject: rejectRun });
      const abort = () => {
        this.send({ type: "abort", runId, reason: describeError(request.signal.reason).message });
        setTimeout(() => this.stopUnresponsive(runId), this.abortGraceMs).unref();
      };
      if (request.signal.aborted) abort();
      else request.signal.addEventListener("abort", abort, { once: true });
      const { ctx, payload, retry, metadata } = request;
      this.send({ type: "run", runId, taskId, ctx, payload, retry, metadata });
    });
  }

  /**
   * An aborted attempt still running after the grace: its task does not yield (a synchronous loop
   * never handles the abort), so the worker is terminated and the attempt fails as timed out, not
   * retried, as Trigger.dev fails a run past its maxDuration (MAX_DURATION_EXCEEDED).
   */
  private stopUnresponsive(runId: string): void {
    const pending = this.pending.get(runId);
    if (!pending || this.exited) return;
    this.pending.delete(runId);
    const reason = describeError(pending.request.signal.reason).message;
    logger.warn("task worker did not stop after its attempt was aborted; terminating it", { runId, reason });
    this.retire();
    const error = new AppError(
      "MAX_DURATION_EXCEEDED",
      `The attempt did not stop within ${this.abortGraceMs} ms of being aborted (${reason}): its worker was terminated`,
    );
    void pending.saves.then(() =>
      pending.resolve({
        kind: "failed",
        error,
        delayMs: undefined,
        metadata: undefined,
        runFailureHooks: async () => {},
      }),
    );
  }

  /** Running nothing (no attempt, no failure hooks). */
  get idleNow(): boolean {
    return this.pending.size === 0 && this.hooks.size === 0;
  }

  terminate(): Promise<number> {
    return this.thread.terminate();
  }
}

/**
 * An attempt that could not start because its file did not load (or compile): it fails and is
 * retried by the task's policy (the broken worker is gone; the next attempt imports the file afresh).
 */
function loadFailure(error: Error, request?: AttemptRequest): AttemptOutcome {
  const delayMs = request ? calculateNextRetryDelay(request.retry, request.ctx.attempt.number) : undefined;
  return { kind: "failed", error, delayMs, metadata: undefined, runFailureHooks: async () => {} };
}

/**
 * Runs each attempt in a worker thread per task file (started on the file's first run, kept warm
 * for its next ones), the way Trigger.dev's worker imports only the init file and the run's own
 * file. The worker imports JavaScript compiled once when the runner starts (bundle-task-files.ts),
 * as a deployed worker imports its build. One spare worker, started in the background with the
 * init files imported, takes the next file's first run, so that run waits only for its own file's
 * import; another spare starts while some task file has no worker. A worker that dies takes its
 * attempts with it: the executor stops renewing their leases and the reaper re-queues them.
 */
export class TaskFileWorkers implements AttemptRunner {
  private readonly workers = new Map<string, TaskWorker>();
  private readonly initFiles: string[];
  private readonly taskFiles: string[];
  private readonly bundle: Promise<TaskFileBundle>;
  private spare: TaskWorker | undefined;
  private closed = false;
  private readonly maxWorkers: number;

  constructor(private readonly options: TaskFileWorkersOptions) {
    this.maxWorkers = maxWorkersOf(options.maxWorkers);
    this.initFiles = options.taskDirs
      .map((dir) => resolve(dir, "init.ts"))
      .filter((file) => existsSync(file));
    this.taskFiles = [...new Set(options.taskFiles.map((file) => resolve(file)))];
    this.bundle = bundleTaskFiles([...new Set([...this.initFiles, ...this.taskFiles])]);
    // A failed build is reported once, by whoever awaits `compiled()` (the runtime's start).
    this.bundle.then(
      (bundle) => this.keepSpare(bundle),
      () => undefined,
    );
  }

  /** Resolves once the task files are compiled; rejects with the build's error (fatal at start). */
  async compiled(): Promise<void> {
    await this.bundle;
  }

  private spawn(bundle: TaskFileBundle): TaskWorker {
    const initFiles = this.initFiles.map((source) => ({ source, module: bundle.moduleOf(source) }));
    return new TaskWorker(
      bundle.workerEntry,
      { initFiles, secretKey: this.options.secretKey },
      this.options.database,
      (exited) => {
        if (this.spare === exited) this.spare = undefined;
        for (const [file, worker] of this.workers) if (worker === exited) this.workers.delete(file);
      },
      this.options.idleMs ?? 5 * 60_000,
      this.options.abortGraceMs ?? 3_000,
    );
  }

  /** Starts a spare worker unless one is up or every task file has its worker. */
  private keepSpare(bundle: TaskFileBundle): void {
    if (this.closed || this.spare || this.workers.size >= this.taskFiles.length) return;
    if (this.workers.size > 0 && this.options.replenishSpare === false) return;
    this.spare = this.spawn(bundle);
  }

  private async workerFor(file: string): Promise<TaskWorker> {
    const bundle = await this.bundle;
    if (this.closed) throw new Error("The task workers are closed");
    let worker = this.workers.get(file);
    if (!worker) {
      worker = this.spare ?? this.spawn(bundle);
      this.spare = undefined;
      worker.assign({ source: file, module: bundle.moduleOf(file) }, this.options.baseURL());
      this.workers.set(file, worker);
      this.keepUnderCap(worker);
      this.keepSpare(bundle);
    }
    return worker;
  }

  /** Past the cap, stops the least recently used idle workers (busy ones are never stopped). */
  private keepUnderCap(added: TaskWorker): void {
    const idle = [...this.workers.values()]
      .filter((worker) => worker !== added && worker.loaded && worker.idleNow)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    for (const worker of idle) {
      if (this.workers.size <= this.maxWorkers) return;
      worker.retire();
    }
  }

  /** Starts the task's worker if needed and waits until it has imported its files. */
  async prepare(task: LoadedTask): Promise<void> {
    const worker = await this.workerFor(resolve(task.manifest.filePath)).catch(() => undefined);
    await worker?.started();
  }

  async run(task: LoadedTask, request: AttemptRequest): Promise<AttemptOutcome> {
    for (;;) {
      let worker: TaskWorker;
      try {
        worker = await this.workerFor(resolve(task.manifest.filePath));
      } catch (err) {
        if (this.closed) throw err;
        return loadFailure(err instanceof Error ? err : new Error(String(err)));
      }
      worker.lastUsed = Date.now();
      // Stopped (the cap on workers) between being handed out and taking the attempt: take the next one.
      const outcome = await worker.run(task.id, request);
      if (outcome !== "retired") return outcome;
    }
  }

  /** The thread running a task file's attempts, once it has loaded its files (tests kill it mid-run). */
  threadOf(filePath: string): Worker | undefined {
    const worker = this.workers.get(resolve(filePath));
    return worker?.loaded ? worker.thread : undefined;
  }

  async close(): Promise<void> {
    this.closed = true;
    const workers = [...this.workers.values(), ...(this.spare ? [this.spare] : [])];
    this.workers.clear();
    this.spare = undefined;
    await Promise.all(workers.map((worker) => worker.terminate()));
    (await this.bundle.catch(() => undefined))?.remove();
  }
}
