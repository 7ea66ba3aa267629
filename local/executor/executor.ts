import { EventEmitter } from "node:events";
import { parsePacket, type RetryOptions } from "@trigger.dev/core/v3";
import type { Db } from "../../src/db/types.ts";
import { logger } from "../../src/observability/logger.ts";
import { type AttemptRunner, inProcessRunner } from "../worker/attempt-runner.ts";
import type { AttemptOutcome } from "../worker/run-attempt.ts";
import { AttemptLog, runError } from "./attempt-log.ts";
import { newId, type RunRow, RunStore } from "./run-store.ts";
import { declarativeSchedule, isScheduledTask, schedulePayload } from "./schedule-payload.ts";
import type { LoadedTask, TaskCatalog } from "./task-catalog.ts";
import { buildTaskRunContext } from "./task-run-context.ts";

export interface ExecutorOptions {
  db: Db;
  catalog: TaskCatalog;
  /** Runs executing at once in this process, across all queues. */
  maxConcurrency?: number;
  pollMs?: number;
  leaseMs?: number;
  /**
   * Only claim these runs and the runs they trigger, at any depth (the CLI runs one run and its
   * children, never other processes' queued work). Claimed children join the scope.
   */
  scope?: Set<string>;
  /** Retry policy and maxDuration (seconds) of tasks that set none: `trigger.config.ts`. */
  defaults?: { retry?: RetryOptions | undefined; maxDuration?: number | undefined };
  /** How often the reaper looks for expired leases and ttls (default: a third of the lease). */
  reapMs?: number;
  /** Where attempts execute (default: in this process, every task file in one module graph). */
  runner?: AttemptRunner;
}

interface InFlight {
  queueKey: string;
  controller: AbortController;
  done: Promise<void>;
}

/** Trigger.dev's own default when neither the task nor trigger.config.ts sets one. */
const PLATFORM_MAX_ATTEMPTS = 3;

function jsonSafe(value: unknown): unknown {
  return value === undefined ? null : JSON.parse(JSON.stringify(value));
}

/**
 * The local runtime's executor: claims due runs from `task_runs`, runs the real task functions
 * in a per-run Trigger.dev context, and applies each task's retry policy, the global
 * `catchError` hooks of `trigger/init.ts`, queue concurrency limits (per concurrency key, as
 * Trigger.dev does) and `maxDuration`. Several executors on one PostgreSQL never run a run twice
 * (claims are compare-and-set); limits are enforced per process.
 */
export class Executor extends EventEmitter {
  readonly store: RunStore;
  /** Every ended attempt: status, duration, error with stack, retry delay. */
  readonly attempts: AttemptLog;
  readonly owner = newId("executor");
  private readonly inFlight = new Map<string, InFlight>();
  private readonly queueCounts = new Map<string, number>();
  private readonly interrupted = new Set<string>();
  private readonly canceled = new Set<string>();
  private reaper: NodeJS.Timeout | undefined;
  private reaping: Promise<void> | undefined;
  private readonly maxConcurrency: number;
  private readonly pollMs: number;
  private readonly leaseMs: number;
  private timer: NodeJS.Timeout | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  private dispatching: Promise<void> | undefined;
  private redispatch = false;
  private stopped = true;

  constructor(private readonly options: ExecutorOptions) {
    super();
    this.store = new RunStore(options.db);
    this.attempts = new AttemptLog(options.db);
    this.maxConcurrency = options.maxConcurrency ?? 10;
    this.pollMs = options.pollMs ?? 500;
    this.leaseMs = options.leaseMs ?? 60_000;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.heartbeat = setInterval(() => {
      this.store.extendLeases([...this.inFlight.keys()], this.owner, this.leaseMs).catch((err) => {
        logger.warn("could not extend run leases", { err });
      });
    }, this.leaseMs / 3);
    this.heartbeat.unref();
    this.reaper = setInterval(
      () => {
        this.reaping ??= this.reap()
          .then(() => undefined)
          .catch((err) => logger.warn("run reaper failed", { err }))
          .finally(() => {
            this.reaping = undefined;
          });
      },
      this.options.reapMs ?? Math.max(100, Math.floor(this.leaseMs / 3)),
    );
    this.reaper.unref();
    this.wake();
  }

  /** The retry policy a run of `task` follows: the task's own, else trigger.config.ts's default. */
  retryOf(task: LoadedTask | undefined): RetryOptions {
    return { ...this.options.defaults?.retry, ...task?.manifest.retry };
  }

  private maxAttemptsOf(row: RunRow, task: LoadedTask | undefined): number {
    return row.maxAttempts ?? this.retryOf(task).maxAttempts ?? PLATFORM_MAX_ATTEMPTS;
  }

  /**
   * One pass of the reaper: queued runs past their ttl expire; running runs whose lease expired
   * (their executor was killed or lost its database) go back to the queue, or fail when they
   * used their attempts. Runs while the runtime is up: no restart needed.
   */
  async reap(): Promise<{ expired: number; requeued: number; failed: number }> {
    const expired = (await this.store.expireQueued()).length;
    let requeued = 0;
    let failed = 0;
    for (const row of await this.store.leaseExpired()) {
      if (this.options.scope && !this.options.scope.has(row.id)) continue;
      const task = this.options.catalog.get(row.taskId);
      const exhausted = row.attempts >= this.maxAttemptsOf(row, task);
      const error = {
        name: "LeaseExpired",
        message: `The executor running attempt ${row.attempts} stopped renewing its lease (killed or disconnected)`,
      };
      if (!(await this.store.reap(row, exhausted ? "failed" : "queued", error))) continue;
      if (exhausted) {
        failed++;
        this.emit("settled", { id: row.id, status: "failed" });
      } else requeued++;
      logger.warn(
        exhausted ? "run failed: lease expired on its last attempt" : "run re-queued: lease expired",
        {
          runId: row.id,
          taskId: row.taskId,
          attempt: row.attempts,
        },
      );
    }
    if (requeued > 0) this.wake();
    return { expired, requeued, failed };
  }

  /** Cancels a run: a queued one never starts, a running one here is aborted. */
  async cancel(runId: string): Promise<RunRow | undefined> {
    const row = await this.store.cancel(runId);
    const flight = this.inFlight.get(runId);
    if (row && flight) {
      this.canceled.add(runId);
      flight.controller.abort(new Error("run canceled"));
    }
    if (row) this.emit("settled", { id: runId, status: "canceled" });
    return row;
  }

  /**
   * Looks for due runs on a later turn of the event loop: whoever triggered (an HTTP request)
   * finishes, and answers, before a run starts on this thread.
   */
  wakeSoon(): void {
    setImmediate(() => this.wake());
  }

  /** Looks for due runs now (after a trigger) instead of at the next poll. */
  wake(): void {
    if (this.stopped) return;
    if (this.dispatching) {
      this.redispatch = true;
      return;
    }
    clearTimeout(this.timer);
    this.dispatching = this.dispatch()
      .catch((err) => logger.error("executor dispatch failed", { err }))
      .finally(() => {
        this.dispatching = undefined;
        if (this.stopped) return;
        if (this.redispatch) {
          this.redispatch = false;
          this.wake();
        } else {
          this.timer = setTimeout(() => this.wake(), this.pollMs);
          this.timer.unref();
        }
      });
  }

  /** Stops claiming; in-flight runs get `graceMs` to finish, then are aborted and marked interrupted. */
  async stop(graceMs = 10_000): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    clearInterval(this.reaper);
    await this.dispatching;
    await this.reaping;
    const pending = [...this.inFlight.values()].map((f) => f.done);
    const grace = new Promise<"timeout">((resolve) => setTimeout(() => resolve("timeout"), graceMs).unref());
    if ((await Promise.race([Promise.all(pending), grace])) === "timeout") {
      for (const [id, flight] of this.inFlight) {
        // Record the interruption first (it clears our lease, so the aborted attempt cannot
        // overwrite it with "failed"), then abort the run.
        this.interrupted.add(id);
        await this.store.finish(id, this.owner, {
          status: "interrupted",
          error: { message: "runtime shut down" },
        });
        flight.controller.abort(new Error("runtime shutting down"));
      }
    }
  }

  private queueKeyOf(row: RunRow, task: LoadedTask | undefined): { key: string; limit: number } {
    const name = row.queue ?? task?.manifest.queue?.name ?? `task/${row.taskId}`;
    const limit =
      (row.queue ? this.options.catalog.queueLimit(row.queue) : task?.manifest.queue?.concurrencyLimit) ??
      Number.POSITIVE_INFINITY;
    return { key: `${name}\u0000${row.concurrencyKey ?? ""}`, limit };
  }

  private async dispatch(): Promise<void> {
    const free = this.maxConcurrency - this.inFlight.size;
    if (free <= 0) return;
    const candidates = await this.store.due(Math.max(free * 4, 20), this.options.scope);
    for (const candidate of candidates) {
      if (this.stopped || this.inFlight.size >= this.maxConcurrency) break;
      const task = this.options.catalog.get(candidate.taskId);
      const { key, limit } = this.queueKeyOf(candidate, task);
      if ((this.queueCounts.get(key) ?? 0) >= limit) continue;
      const row = await this.store.claim(candidate.id, this.owner, this.leaseMs);
      if (!row) continue; // another executor took it
      this.options.scope?.add(row.id);
      this.queueCounts.set(key, (this.queueCounts.get(key) ?? 0) + 1);
      const controller = new AbortController();
      const done = this.attempt(row, task, controller)
        .catch((err) => logger.error("executor lost a run", { runId: row.id, err }))
        .finally(() => {
          this.inFlight.delete(row.id);
          this.queueCounts.set(key, (this.queueCounts.get(key) ?? 1) - 1);
          this.wake();
        });
      this.inFlight.set(row.id, { queueKey: key, controller, done });
    }
  }

  private async attempt(
    row: RunRow,
    task: LoadedTask | undefined,
    controller: AbortController,
  ): Promise<void> {
    const log = logger.child({ runId: row.id, taskId: row.taskId, attempt: row.attempts });
    if (!task) {
      await this.settle(row, "failed", { error: { message: `Unknown task "${row.taskId}"` } });
      return;
    }
    const retry = this.retryOf(task);
    const maxAttempts = this.maxAttemptsOf(row, task);
    const ctx = buildTaskRunContext(row, task, maxAttempts);
    let payload: unknown;
    try {
      payload = await this.payloadOf(row, task);
    } catch (err) {
      await this.settle(row, "failed", { error: runError(err) });
      return;
    }
    // A worker starting for the task's file: its start-up is not part of the attempt's time.
    await this.prepareRunner(task, controller.signal);
    const maxDurationSeconds = task.manifest.maxDuration ?? this.options.defaults?.maxDuration;
    const deadline =
      maxDurationSeconds === undefined
        ? undefined
        : setTimeout(() => controller.abort(new Error("maxDuration exceeded")), maxDurationSeconds * 1000);
    log.info("run attempt started");
    const startedAt = new Date();
    let result: AttemptOutcome;
    try {
      result = await (this.options.runner ?? inProcessRunner).run(task, {
        ctx,
        payload,
        retry: { ...retry, maxAttempts },
        signal: controller.signal,
        metadata: (row.metadata ?? undefined) as Record<string, unknown> | undefined,
        saveMetadata: (current) => this.store.saveMetadata(row.id, this.owner, current as never),
      });
    } catch (err) {
      if (this.interrupted.has(row.id)) {
        // Shut down mid-run and its worker stopped with it: re-queued on the next start.
        await this.attempts.record({ runId: row.id, number: row.attempts, status: "interrupted", startedAt });
        return;
      }
      // The attempt was lost with its worker: the reaper re-queues the run (or fails it on its last attempt).
      await this.store.releaseLease(row.id, this.owner);
      throw err;
    } finally {
      clearTimeout(deadline);
    }
    if (result.kind === "invalid-payload") {
      await this.settle(row, "failed", { error: runError(result.error) });
      return;
    }
    if (this.interrupted.has(row.id)) {
      // Shut down mid-run: re-queued on the next start.
      await this.attempts.record({ runId: row.id, number: row.attempts, status: "interrupted", startedAt });
      return;
    }
    if (this.canceled.delete(row.id)) {
      log.info("run canceled while executing");
      await this.attempts.record({ runId: row.id, number: row.attempts, status: "canceled", startedAt });
      return;
    }
    if (result.kind === "completed") {
      log.info("run completed");
      await this.settle(row, "completed", {
        output: jsonSafe(result.output),
        metadata: result.metadata,
        startedAt,
      });
      return;
    }
    const { delayMs } = result;
    const error = runError(result.error);
    if (delayMs !== undefined && !this.stopped) {
      log.warn("run attempt failed, retrying", { err: result.error, delayMs });
      await this.settle(row, "queued", {
        error,
        metadata: result.metadata,
        runAt: new Date(Date.now() + delayMs),
        startedAt,
        retryDelayMs: delayMs,
      });
      setTimeout(() => this.wake(), delayMs + 5).unref();
      return;
    }
    log.error("run failed", { err: result.error });
    await this.settle(row, "failed", { error, metadata: result.metadata, startedAt });
    await result.runFailureHooks();
  }

  private async prepareRunner(task: LoadedTask, signal: AbortSignal): Promise<void> {
    const prepare = this.options.runner?.prepare?.(task);
    if (!prepare || signal.aborted) return;
    let stop: (() => void) | undefined;
    const aborted = new Promise<void>((resolve) => {
      stop = resolve;
      signal.addEventListener("abort", () => resolve(), { once: true });
    });
    try {
      await Promise.race([prepare, aborted]);
    } finally {
      stop?.();
    }
  }

  /** The payload as stored (a scheduled task's tick when empty); the task's schema parses it in the attempt. */
  private async payloadOf(row: RunRow, task: LoadedTask): Promise<unknown> {
    let payload = row.payload
      ? await parsePacket({ data: row.payload, dataType: row.payloadType })
      : undefined;
    const empty =
      payload === undefined ||
      payload === null ||
      (typeof payload === "object" && Object.keys(payload as object).length === 0);
    if (isScheduledTask(task) && empty) payload = schedulePayload(declarativeSchedule(task), new Date());
    return payload;
  }

  private async settle(
    row: RunRow,
    status: "completed" | "failed" | "queued",
    outcome: {
      output?: unknown;
      error?: unknown;
      metadata?: Record<string, unknown> | undefined;
      runAt?: Date;
      startedAt?: Date;
      retryDelayMs?: number;
    },
  ): Promise<void> {
    const { startedAt, retryDelayMs, ...stored } = outcome;
    await this.store.finish(
      row.id,
      this.owner,
      { status, ...stored },
      {
        number: row.attempts,
        status: status === "queued" ? "retrying" : status,
        startedAt: startedAt ?? null,
        error: outcome.error,
        retryDelayMs,
      },
    );
    if (status !== "queued") this.emit("settled", { id: row.id, status });
  }

  /** Resolves when the run finishes (completed, failed, canceled or expired; the CLI and tests wait on this). */
  async waitFor(runId: string, timeoutMs = 60_000): Promise<RunRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.store.get(runId);
      if (row && ["completed", "failed", "canceled", "expired"].includes(row.status)) return row;
      if (Date.now() > deadline) throw new Error(`Run ${runId} did not finish within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(() => {
          this.off("settled", onSettled);
          resolve();
        }, 200);
        const onSettled = (event: { id: string }) => {
          if (event.id !== runId) return;
          clearTimeout(timer);
          this.off("settled", onSettled);
          resolve();
        };
        this.on("settled", onSettled);
        timer.unref?.();
      });
    }
  }
}
