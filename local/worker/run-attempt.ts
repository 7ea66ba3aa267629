import {
  AbortTaskRunError,
  calculateNextRetryDelay,
  lifecycleHooks,
  type RetryOptions,
  type TaskRunContext,
} from "@trigger.dev/core/v3";
import type { TestRunMetadataManager } from "@trigger.dev/core/v3/test";
import { describeError, ValidationError } from "../../src/errors.ts";
import { runInRunContext } from "../executor/run-context.ts";
import type { LoadedTask } from "../executor/task-catalog.ts";

export type Metadata = Record<string, unknown> | undefined;

/** How one attempt ended, as the executor settles it. */
export type AttemptOutcome =
  | { kind: "invalid-payload"; error: unknown }
  | { kind: "completed"; output: unknown; metadata: Metadata }
  | {
      kind: "failed";
      error: unknown;
      /** Delay before the next attempt; undefined for no retry. */
      delayMs: number | undefined;
      metadata: Metadata;
      /** Runs the global `onFailure` hooks of the init file, once the run is marked failed. */
      runFailureHooks(): Promise<void>;
    };

export interface AttemptInput {
  ctx: TaskRunContext;
  /** The payload before the task's schema parses it. */
  payload: unknown;
  /** The run's retry policy, maxAttempts included. */
  retry: RetryOptions;
  signal: AbortSignal;
  metadata: TestRunMetadataManager;
}

type RunnableTask = Pick<LoadedTask, "id" | "run" | "parsePayload">;

/**
 * One attempt of a task in the Trigger.dev run context of this module graph: the payload parsed
 * by the task's schema, the run function, and on failure the retry delay from the task's policy
 * and the init file's `catchError` hooks (where src/retry-decision.ts maps errors).
 */
export async function runAttempt(task: RunnableTask, input: AttemptInput): Promise<AttemptOutcome> {
  const { ctx, signal, retry } = input;
  let payload = input.payload;
  if (task.parsePayload) {
    try {
      payload = await task.parsePayload(payload);
    } catch (err) {
      const error = new ValidationError(`Invalid payload for ${task.id}: ${describeError(err).message}`, {
        cause: err,
      });
      return { kind: "invalid-payload", error };
    }
  }
  const result = await runInRunContext(ctx, () => task.run(payload, { ctx, signal }), input.metadata);
  if (result.ok) return { kind: "completed", output: result.value, metadata: result.metadata };
  const error = result.error;
  return {
    kind: "failed",
    error,
    delayMs: await retryDelay(error, payload, ctx, retry),
    metadata: result.metadata,
    runFailureHooks: async () => {
      for (const hook of lifecycleHooks.getGlobalFailureHooks()) {
        await hook.fn({ ctx, payload, task: task.id, error, signal } as never);
      }
    },
  };
}

async function retryDelay(
  error: unknown,
  payload: unknown,
  ctx: TaskRunContext,
  retry: RetryOptions,
): Promise<number | undefined> {
  if (error instanceof AbortTaskRunError) return undefined;
  const defaultDelay = calculateNextRetryDelay(retry, ctx.attempt.number);
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
