import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";
import type { JobQueue } from "../jobs.ts";
import { catalog } from "../providers/catalog.ts";

export const HEALTH_CHECK_TASK_ID = "health-check-connections";
/** Connections per child run: one statement reads them, one writes all their results. */
export const HEALTH_CHUNK_SIZE = 100;
/** The sweep runs every 5 minutes; a connection checked less than this long ago is not due. */
export const HEALTH_DUE_AFTER = "4 minutes 30 seconds";
/** A bound on one sweep's fan-out (the rest is due again in the next sweep). */
const MAX_PER_SWEEP = 100_000;

/** Providers whose probe spends a scarce quota (Clarity: 10 calls a day) are never swept. */
export const sweptProviders = catalog
  .filter((entry) => (entry.probe && !entry.probe.scarce) || (!entry.probe && entry.tokenRequest))
  .map((entry) => entry.id);

export interface HealthSweepProgress {
  processed: number;
  total: number;
}

/**
 * The due connections' ids per provider, in the order given. Linear: a sweep may hold 100,000
 * connections of one provider (copying the list per row took minutes at that size).
 */
export function groupByProvider(rows: { id: string; provider: string }[]): Map<string, string[]> {
  const byProvider = new Map<string, string[]>();
  for (const row of rows) {
    const ids = byProvider.get(row.provider);
    if (ids) ids.push(row.id);
    else byProvider.set(row.provider, [row.id]);
  }
  return byProvider;
}

/**
 * Finds the connections due a health check (active or error, not checked within the interval;
 * a partial index on `last_checked_at` serves it, so the sweep costs what is due, not what
 * exists) and fans out one `health-check-connections` run per chunk of one provider's
 * connections, on that provider's queue. `sweepId` (the schedule's timestamp) makes the fan-out
 * idempotent when a sweep is retried. Cross-tenant by nature.
 */
export async function sweepHealthChecks(
  deps: { db: Db; jobs: JobQueue },
  options: { sweepId: string; onProgress?: (p: HealthSweepProgress) => void | Promise<void> },
): Promise<{ due: number; chunks: number; triggered: number }> {
  const due = rowsOf<{ id: string; provider: string }>(
    await deps.db.execute(sql`select id, provider from integration_connections
      where status in ('active', 'error')
        and (last_checked_at is null or last_checked_at < now() - ${HEALTH_DUE_AFTER}::interval)
        and provider in (select unnest(${`{${sweptProviders.join(",")}}`}::text[]))
      order by last_checked_at nulls first
      limit ${MAX_PER_SWEEP}`),
  );
  const byProvider = groupByProvider(due);
  const items = [...byProvider].flatMap(([provider, ids]) =>
    Array.from({ length: Math.ceil(ids.length / HEALTH_CHUNK_SIZE) }, (_, i) => ({
      payload: { provider, connectionIds: ids.slice(i * HEALTH_CHUNK_SIZE, (i + 1) * HEALTH_CHUNK_SIZE) },
      options: {
        idempotencyKey: `health:${options.sweepId}:${provider}:${i}`,
        idempotencyKeyTTL: "10m",
        queue: `health-check-${provider}`,
        tags: [`provider:${provider}`],
      },
    })),
  );
  let triggered = 0;
  if (items.length > 0) triggered = (await deps.jobs.batchTrigger(HEALTH_CHECK_TASK_ID, items)).runCount;
  await options.onProgress?.({ processed: due.length, total: due.length });
  return { due: due.length, chunks: items.length, triggered };
}
