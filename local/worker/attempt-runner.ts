import type { RetryOptions, TaskRunContext } from "@trigger.dev/core/v3";
import { PersistedRunMetadata } from "../executor/persisted-run-metadata.ts";
import type { LoadedTask } from "../executor/task-catalog.ts";
import { type AttemptOutcome, type Metadata, runAttempt } from "./run-attempt.ts";

export interface AttemptRequest {
  ctx: TaskRunContext;
  payload: unknown;
  retry: RetryOptions;
  signal: AbortSignal;
  /** The run's metadata when the attempt starts. */
  metadata: Metadata;
  /** Saves the run's metadata while it runs (so `runs.retrieve` shows progress). */
  saveMetadata(metadata: Record<string, unknown>): Promise<void>;
}

/** Where the executor's attempts execute: in this module graph, or in a worker per task file. */
export interface AttemptRunner {
  /**
   * Gets ready to run the task's attempts (a worker's start-up); the executor waits for it before
   * the attempt's clock (maxDuration, its start time) starts.
   */
  prepare?(task: LoadedTask): Promise<void>;
  run(task: LoadedTask, request: AttemptRequest): Promise<AttemptOutcome>;
  close(): Promise<void>;
}

/** Runs attempts in the runtime's own module graph (every task file imported together). */
export const inProcessRunner: AttemptRunner = {
  async run(task, request) {
    const metadata = new PersistedRunMetadata(request.metadata as never, (current) =>
      request.saveMetadata(current),
    );
    const outcome = await runAttempt(task, { ...request, metadata });
    await metadata.flush();
    return outcome;
  },
  close: async () => {},
};
