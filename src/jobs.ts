import { ApiError, idempotencyKeys, tasks } from "@trigger.dev/sdk";
import { AppError, UnavailableError } from "./errors.ts";

/**
 * The job port: the only way `src/` starts work. `src/jobs.ts` is the only file in
 * `src/` that imports `@trigger.dev/sdk`; everything else receives a `JobQueue`.
 */
export interface TriggerJobOptions {
  /** Deduplicates the trigger, with global scope (the same key from anywhere → one run). */
  idempotencyKey?: string;
  /** How long the key dedupes ("15m", "30d"; Trigger.dev's default is 30 days). */
  idempotencyKeyTTL?: string;
  /** Runs sharing a key share the task's per-key concurrency (we use the tenant id). */
  concurrencyKey?: string;
  tags?: string[];
  /** A duration ("30s", "5m") or a date. */
  delay?: string | Date;
  /** The name of a declared queue. */
  queue?: string;
}

export interface JobHandle {
  id: string;
  isCached: boolean;
}

export interface BatchJobItem<P> {
  payload: P;
  options?: TriggerJobOptions;
}

export interface JobQueue {
  trigger<P>(taskId: string, payload: P, options?: TriggerJobOptions): Promise<JobHandle>;
  batchTrigger<P>(taskId: string, items: BatchJobItem<P>[]): Promise<{ batchId: string; runCount: number }>;
}

/** Trigger API request retries: bounded, because webhook handlers must answer within seconds. */
const REQUEST_RETRY = {
  maxAttempts: 3,
  minTimeoutInMs: 200,
  maxTimeoutInMs: 1_000,
  factor: 2,
  randomize: true,
};
const BATCH_LIMIT = 1_000;

function mapTriggerError(err: unknown, taskId: string): AppError {
  if (err instanceof AppError) return err;
  const status = err instanceof ApiError ? err.status : undefined;
  const message = err instanceof Error ? err.message : String(err);
  if (status !== undefined && status >= 400 && status < 500 && status !== 429) {
    return new AppError("trigger_rejected", `Trigger.dev rejected a run of ${taskId}: ${message}`, {
      retryable: false,
      context: { taskId, status },
      cause: err,
    });
  }
  return new UnavailableError(`Could not reach Trigger.dev to start ${taskId}: ${message}`, {
    context: { taskId, ...(status === undefined ? {} : { status }) },
    cause: err,
  });
}

async function sdkOptions(options: TriggerJobOptions | undefined) {
  if (!options) return {};
  const { idempotencyKey, ...rest } = options;
  return {
    ...rest,
    ...(idempotencyKey
      ? { idempotencyKey: await idempotencyKeys.create(idempotencyKey, { scope: "global" }) }
      : {}),
  };
}

/** The Trigger.dev adapter: real SDK calls (pointed at the local runtime by TRIGGER_API_URL offline). */
export function createTriggerJobQueue(): JobQueue {
  return {
    async trigger(taskId, payload, options) {
      try {
        const handle = await tasks.trigger(taskId, payload, await sdkOptions(options), {
          retry: REQUEST_RETRY,
        });
        return { id: handle.id, isCached: Boolean((handle as { isCached?: boolean }).isCached) };
      } catch (err) {
        throw mapTriggerError(err, taskId);
      }
    },
    async batchTrigger(taskId, items) {
      let runCount = 0;
      let batchId = "";
      try {
        for (let start = 0; start < items.length; start += BATCH_LIMIT) {
          const chunk = await Promise.all(
            items.slice(start, start + BATCH_LIMIT).map(async (item) => ({
              payload: item.payload,
              options: await sdkOptions(item.options),
            })),
          );
          const handle = await tasks.batchTrigger(taskId, chunk, undefined, { retry: REQUEST_RETRY });
          batchId = handle.batchId;
          runCount += handle.runCount;
        }
        return { batchId, runCount };
      } catch (err) {
        throw mapTriggerError(err, taskId);
      }
    },
  };
}
