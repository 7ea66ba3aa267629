import { AppError } from "./errors.ts";

export type RetryDecision = { retry: false } | { retry: true; delayMs?: number };

/**
 * The single mapping from an error to a retry decision, shared by the Trigger.dev
 * `catchError` hook in `trigger/init.ts` and the local executor: `retryable: false` stops
 * retries, `retryAfterMs` delays the next attempt, anything else follows the task's policy.
 */
export function retryDecision(err: unknown): RetryDecision {
  if (err instanceof AppError) {
    if (!err.retryable) return { retry: false };
    if (err.retryAfterMs !== undefined) return { retry: true, delayMs: err.retryAfterMs };
  }
  return { retry: true };
}
