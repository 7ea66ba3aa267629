import type { RetryOptions } from "@trigger.dev/core/v3";
import { formatDuration } from "./format-duration.ts";

/** A retry policy in one line: "3 attempts, 5.0 s → 1 m 00 s, ×2, randomized". */
export function retrySummary(retry: RetryOptions | undefined): string {
  if (!retry?.maxAttempts) return "project default";
  const parts = [`${retry.maxAttempts} attempt${retry.maxAttempts === 1 ? "" : "s"}`];
  if (retry.maxAttempts > 1 && retry.minTimeoutInMs !== undefined) {
    parts.push(`${formatDuration(retry.minTimeoutInMs)} → ${formatDuration(retry.maxTimeoutInMs)}`);
    if (retry.factor) parts.push(`×${retry.factor}`);
    if (retry.randomize) parts.push("randomized");
  }
  return parts.join(", ");
}
