import { tasks } from "@trigger.dev/sdk";
import { logger } from "../src/observability/logger.ts";
import { captureFailure, initSentry, payloadExtra, payloadTags } from "../src/observability/sentry.ts";
import { retryDecision } from "../src/retry-decision.ts";

// Loaded before every run (Trigger.dev's init file): Sentry, and the one error → retry mapping.
initSentry();

tasks.catchError(({ error }) => {
  const decision = retryDecision(error);
  if (!decision.retry) return { skipRetrying: true };
  if (decision.delayMs !== undefined) return { retryAt: new Date(Date.now() + decision.delayMs) };
  return undefined;
});

tasks.onFailure(async ({ error, ctx, payload }) => {
  // Tenant, provider and connection tags from the payload's ids (a chunk's connection ids as
  // extra data); captureFailure flushes before the run ends.
  const tags = { taskId: ctx.task.id, runId: ctx.run.id, ...payloadTags(payload) };
  logger.error("task run failed", { ...tags, err: error });
  await captureFailure(error, tags, payloadExtra(payload));
});
