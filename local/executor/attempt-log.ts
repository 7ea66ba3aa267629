import { asc, eq, type SQL, sql } from "drizzle-orm";
import { taskRunAttempts } from "../../db/local-runtime/schema.ts";
import type { Db } from "../../src/db/types.ts";
import { describeError } from "../../src/errors.ts";
import { logger } from "../../src/observability/logger.ts";
import { jsonbSafe } from "./jsonb-safe.ts";

export type AttemptRow = typeof taskRunAttempts.$inferSelect;
export type AttemptStatus = "completed" | "failed" | "retrying" | "canceled" | "interrupted" | "lost";

/** An error as a run stores it: name, message, code, and the stack where there is one. */
export function runError(err: unknown): { name: string; message: string; code?: string; stack?: string } {
  const described = describeError(err);
  return err instanceof Error && err.stack ? { ...described, stack: err.stack } : described;
}

export interface AttemptOutcome {
  number: number;
  status: AttemptStatus;
  startedAt?: Date | null;
  error?: unknown;
  retryDelayMs?: number | undefined;
}

/**
 * One statement that changes a run and records the attempt that changed it, so a reader who sees
 * the run settled also sees its attempt (two statements let `waitFor` return in between).
 * `change` must return the run's `id` for the rows it changed; no row changed, no attempt recorded.
 */
export function withAttempt(change: { getSQL(): SQL }, attempt: AttemptOutcome): SQL {
  const error = attempt.error === undefined ? null : JSON.stringify(jsonbSafe(attempt.error));
  const startedAt = attempt.startedAt ? attempt.startedAt.toISOString() : null;
  const delay = attempt.retryDelayMs === undefined ? null : Math.round(attempt.retryDelayMs);
  return sql`with changed as (${change.getSQL()}),
    logged as (insert into task_run_attempts (run_id, number, status, started_at, error, retry_delay_ms)
      select id, ${attempt.number}, ${attempt.status}, ${startedAt}::timestamptz, ${error}::jsonb, ${delay}::int
      from changed on conflict do nothing)
    select id from changed`;
}

/**
 * The attempt history of local runs: one row written when an attempt ends, off the claim path.
 * Writing it twice for one attempt keeps the first outcome. An attempt that settles the run is
 * written by the run's own update (`withAttempt`); the others (interrupted, canceled) are a view:
 * failing to write them is logged and never changes the run's own outcome.
 */
export class AttemptLog {
  constructor(private readonly db: Db) {}

  async record(attempt: AttemptOutcome & { runId: string }): Promise<void> {
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
        error: jsonbSafe(attempt.error) ?? null,
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
