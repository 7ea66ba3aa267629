import type { MessagePort } from "node:worker_threads";
import type { RetryOptions, TaskRunContext } from "@trigger.dev/core/v3";
import type { Metadata } from "./run-attempt.ts";

/** A source file (absolute path) and its compiled module. */
export interface CompiledFile {
  source: string;
  module: string;
}

/**
 * What a task worker is started with: the init files it imports before it is given its task file
 * (a `load` message), the runtime's key, its database.
 */
export interface TaskWorkerSetup {
  initFiles: CompiledFile[];
  secretKey: string;
  database: { kind: "pglite"; port: MessagePort } | { kind: "postgres"; url: string };
}

/** An error as a run stores it (see runError). */
export interface StoredError {
  name: string;
  message: string;
  code?: string;
  stack?: string;
}

export type ToWorker =
  | { type: "load"; file: CompiledFile; baseURL: string }
  | {
      type: "run";
      runId: string;
      taskId: string;
      ctx: TaskRunContext;
      payload: unknown;
      retry: RetryOptions;
      metadata: Metadata;
    }
  | { type: "abort"; runId: string; reason: string }
  | { type: "failure-hooks"; runId: string };

export type WorkerOutcome =
  | { kind: "invalid-payload"; error: StoredError }
  | { kind: "completed"; output: unknown; metadata: Metadata }
  | { kind: "failed"; error: StoredError; delayMs: number | undefined; metadata: Metadata };

export type FromWorker =
  | { type: "ready" }
  | { type: "load-error"; error: StoredError }
  | { type: "metadata"; runId: string; metadata: Record<string, unknown> }
  | { type: "outcome"; runId: string; outcome: WorkerOutcome }
  | { type: "failure-hooks-done"; runId: string };
