import { asc, eq, sql } from "drizzle-orm";
import { taskRunAttempts } from "../../db/local-runtime/schema.ts";
import type { Db } from "../../src/db/types.ts";
import { describeError } from "../../src/errors.ts";
import { logger } from "../../src/observability/logger.ts";

export type AttemptRow = typeof taskRunAttempts.$inferSelect;
export type AttemptStatus = "completed" | "failed" | "retrying" | "canceled" | "interrupted" | "lost";

/** An error as a run stores it: name, message, code, and the stack where there is one. */
export function runError(err: unknown): { name: string; message: string; code?: string; stack?: string } {
  const described = describeError(err);
  return err instanceof Error && err.stack ? { ...described, stack: err.stack } : described;
}

/**
 * The attempt history of local runs: one row written when an attempt ends (one statement, off
 * the claim path). Writing it twice for one attempt keeps the first outcome. The history is a
 * view: failing to write it is logged and never changes the run's own outcome.
 */
export class AttemptLog {
  constructor(private readonly db: Db) {}

  async record(attempt: {
    runId: string;
    number: number;
    status: AttemptStatus;
    startedAt?: Date | null;
    error?: unknown;
    retryDelayMs?: number | undefined;
  }): Promise<void> {
    try {
      await this.insert(attempt);
    } catch (err) {
      logger.warn("could not record a run attempt", { runId: attempt.runId, attempt: attempt.number, err });
    }
  }

  private async insert(attempt: Parameters<AttemptLog["record"]>[0]): Promise<void> {
    await this.db
      .insert(taskRunAttempts)
      .values({
        runId: attempt.runId,
        number: attempt.number,
        status: attempt.status,
        startedAt: attempt.startedAt ?? null,
        error: attempt.error ?? null,
        retryDelayMs: attempt.retryDelayMs === undefined ? null : Math.round(attempt.retryDelayMs),
        finishedAt: sql`now()`,
      })
      .onConflictDoNothing();
  }

  list(runId: string): Promise<AttemptRow[]> {
    return this.db
      .select()
      .from(taskRunAttempts)
      .where(eq(taskRunAttempts.runId, runId))
      .orderBy(asc(taskRunAttempts.number));
  }
}
