import { EventEmitter } from "node:events";
import {
  AbortTaskRunError,
  calculateNextRetryDelay,
  lifecycleHooks,
  parsePacket,
  type RetryOptions,
} from "@trigger.dev/core/v3";
import type { Db } from "../../src/db/types.ts";
import { describeError, ValidationError } from "../../src/errors.ts";
import { logger } from "../../src/observability/logger.ts";
import { runInRunContext } from "./run-context.ts";
import { newId, type RunRow, RunStore } from "./run-store.ts";
import { isScheduledTask, schedulePayload } from "./schedule-payload.ts";
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
}

interface InFlight {
  queueKey: string;
  controller: AbortController;
  done: Promise<void>;
}

const DEFAULT_RETRY: RetryOptions = {
  maxAttempts: 3,
  minTimeoutInMs: 1_000,
  maxTimeoutInMs: 30_000,
  factor: 2,
  randomize: true,
};

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
  readonly owner = newId("executor");
  private readonly inFlight = new Map<string, InFlight>();
  private readonly queueCounts = new Map<string, number>();
  private readonly interrupted = new Set<string>();
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
    this.wake();
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
    await this.dispatching;
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
    const retry: RetryOptions = { ...DEFAULT_RETRY, ...task.manifest.retry };
    const maxAttempts = row.maxAttempts ?? retry.maxAttempts ?? 3;
    const ctx = buildTaskRunContext(row, task, maxAttempts);
    let payload: unknown;
    try {
      payload = await this.payloadOf(row, task);
    } catch (err) {
      await this.settle(row, "failed", { error: describeError(err) });
      return;
    }
    const maxDurationMs = (task.manifest.maxDuration ?? 900) * 1000;
    const deadline = setTimeout(() => controller.abort(new Error("maxDuration exceeded")), maxDurationMs);
    log.info("run attempt started");
    const result = await runInRunContext(ctx, () => task.run(payload, { ctx, signal: controller.signal }));
    clearTimeout(deadline);
    if (this.interrupted.has(row.id)) return; // shut down mid-run: re-queued on the next start
    if (result.ok) {
      log.info("run completed");
      await this.settle(row, "completed", { output: jsonSafe(result.value), metadata: result.metadata });
      return;
    }
    const delayMs = await this.retryDelay(
      result.error,
      payload,
      ctx,
      { ...retry, maxAttempts },
      row.attempts,
    );
    const error = describeError(result.error);
    if (delayMs !== undefined && !this.stopped) {
      log.warn("run attempt failed, retrying", { err: result.error, delayMs });
      await this.settle(row, "queued", {
        error,
        metadata: result.metadata,
        runAt: new Date(Date.now() + delayMs),
      });
      setTimeout(() => this.wake(), delayMs + 5).unref();
      return;
    }
    log.error("run failed", { err: result.error });
    await this.settle(row, "failed", { error, metadata: result.metadata });
    for (const hook of lifecycleHooks.getGlobalFailureHooks()) {
      await hook.fn({ ctx, payload, task: task.id, error: result.error, signal: controller.signal } as never);
    }
  }

  private async payloadOf(row: RunRow, task: LoadedTask): Promise<unknown> {
    let payload = row.payload
      ? await parsePacket({ data: row.payload, dataType: row.payloadType })
      : undefined;
    const empty =
      payload === undefined ||
      payload === null ||
      (typeof payload === "object" && Object.keys(payload as object).length === 0);
    if (isScheduledTask(task) && empty) payload = schedulePayload(task, new Date());
    if (!task.parsePayload) return payload;
    try {
      return await task.parsePayload(payload);
    } catch (err) {
      throw new ValidationError(`Invalid payload for ${task.id}: ${describeError(err).message}`, {
        cause: err,
      });
    }
  }

  /** The delay before the next attempt, or undefined for no retry (the mapping of src/retry-decision.ts, via init.ts hooks). */
  private async retryDelay(
    error: unknown,
    payload: unknown,
    ctx: ReturnType<typeof buildTaskRunContext>,
    retry: RetryOptions,
    attempt: number,
  ): Promise<number | undefined> {
    if (error instanceof AbortTaskRunError) return undefined;
    const defaultDelay = calculateNextRetryDelay(retry, attempt);
    if (defaultDelay === undefined) return undefined;
    for (const hook of lifecycleHooks.getGlobalCatchErrorHooks()) {
      const result = (await hook.fn({
        ctx,
        payload,
        task: ctx.task.id,
        error,
        retry,
        retryAt: new Date(Date.now() + defaultDelay),
        retryDelayInMs: defaultDelay,
        signal: new AbortController().signal,
      } as never)) as { skipRetrying?: boolean; retryAt?: Date; retryDelayInMs?: number } | undefined;
      if (result?.skipRetrying) return undefined;
      if (result?.retryAt) return Math.max(0, result.retryAt.getTime() - Date.now());
      if (result?.retryDelayInMs !== undefined) return result.retryDelayInMs;
    }
    return defaultDelay;
  }

  private async settle(
    row: RunRow,
    status: "completed" | "failed" | "queued",
    outcome: {
      output?: unknown;
      error?: unknown;
      metadata?: Record<string, unknown> | undefined;
      runAt?: Date;
    },
  ): Promise<void> {
    await this.store.finish(row.id, this.owner, { status, ...outcome });
    if (status !== "queued") this.emit("settled", { id: row.id, status });
  }

  /** Resolves when the run reaches `completed` or `failed` (the CLI and tests wait on this). */
  async waitFor(runId: string, timeoutMs = 60_000): Promise<RunRow> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const row = await this.store.get(runId);
      if (row && (row.status === "completed" || row.status === "failed")) return row;
      if (Date.now() > deadline) throw new Error(`Run ${runId} did not finish within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 200);
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
