import { tasks } from "@trigger.dev/sdk";
import { logger } from "../src/observability/logger.ts";
import { captureFailure, initSentry } from "../src/observability/sentry.ts";
import { retryDecision } from "../src/retry-decision.ts";

// Loaded before every run (Trigger.dev's init file): Sentry, and the one error → retry mapping.
initSentry();

tasks.catchError(({ error }) => {
  const decision = retryDecision(error);
  if (!decision.retry) return { skipRetrying: true };
  if (decision.delayMs !== undefined) return { retryAt: new Date(Date.now() + decision.delayMs) };
  return undefined;
});

tasks.onFailure(async ({ error, ctx }) => {
  logger.error("task run failed", { taskId: ctx.task.id, runId: ctx.run.id, err: error });
  await captureFailure(error, { taskId: ctx.task.id, runId: ctx.run.id });
});
