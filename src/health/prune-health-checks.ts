import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";

export const DEFAULT_HEALTH_RETENTION_DAYS = 30;

/** `HEALTH_RETENTION_DAYS` (whole days, at least 1), else 30. */
export function healthRetentionDays(env: Record<string, string | undefined>): number {
  const days = Number(env.HEALTH_RETENTION_DAYS);
  return Number.isInteger(days) && days >= 1 ? days : DEFAULT_HEALTH_RETENTION_DAYS;
}

/**
 * Deletes health checks older than the retention period in batches (short statements: a prune of
 * millions of rows never holds one long transaction), and health transitions and platform
 * credential checks as old. Across tenants by nature. Returns how many rows went.
 */
export async function pruneHealthChecks(
  db: Db,
  options: { retentionDays?: number; batchSize?: number; maxBatches?: number } = {},
): Promise<{ checks: number; transitions: number; platformChecks: number; batches: number }> {
  const days = options.retentionDays ?? DEFAULT_HEALTH_RETENTION_DAYS;
  const batchSize = options.batchSize ?? 5_000;
  let checks = 0;
  let batches = 0;
  for (; batches < (options.maxBatches ?? 1_000); ) {
    const gone = rowsOf(
      await db.execute(sql`delete from connection_health_checks where id in (
        select id from connection_health_checks where checked_at < now() - make_interval(days => ${days})
        limit ${batchSize}) returning 1 as x`),
    ).length;
    batches++;
    checks += gone;
    if (gone < batchSize) break;
  }
  const transitions = rowsOf(
    await db.execute(sql`delete from connection_transitions where kind = 'health'
      and created_at < now() - make_interval(days => ${days}) returning 1 as x`),
  ).length;
  // A few rows per sweep (one per platform credential): one statement holds a month of them.
  const platformChecks = rowsOf(
    await db.execute(sql`delete from platform_credential_checks
      where checked_at < now() - make_interval(days => ${days}) returning 1 as x`),
  ).length;
  return { checks, transitions, platformChecks, batches };
}
