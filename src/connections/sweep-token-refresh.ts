import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";
import type { JobQueue } from "../jobs.ts";

export const REFRESH_TASK_ID = "token-refresh-connection";
/** Sweeps run every 10 minutes: claim what falls due before the next one, with slack. */
export const SWEEP_HORIZON_MS = 15 * 60_000;

export interface SweepOptions {
  /** Claim connections due within this window (default 15 minutes: the sweep interval plus slack). */
  horizonMs?: number;
  batchSize?: number;
  maxBatches?: number;
  onProgress?: (progress: { claimed: number }) => void | Promise<void>;
}

interface Claimed {
  id: string;
  tenant_id: string;
  provider: string;
  token_version: number;
}

/**
 * Claims connections whose token is due for a refresh before the next sweep — `refresh_due_at`
 * is the expiry minus the lead time (one hour by default), or the keep-alive date for idle
 * connections; a partial index serves the query — and fans out one
 * `token-refresh-connection` run per connection. A claim marks the row for ten minutes, so
 * overlapping sweeps do not fan out twice; the idempotency key (connection + token version)
 * dedupes again at the trigger. Cross-tenant by nature.
 */
export async function sweepTokenRefresh(
  deps: { db: Db; jobs: JobQueue },
  options: SweepOptions = {},
): Promise<{ claimed: number; triggered: number; batches: number }> {
  const horizonSeconds = Math.round((options.horizonMs ?? SWEEP_HORIZON_MS) / 1000);
  const batchSize = options.batchSize ?? 1_000;
  let claimed = 0;
  let triggered = 0;
  let batches = 0;
  for (; batches < (options.maxBatches ?? 100); batches++) {
    const rows = rowsOf<Claimed>(
      await deps.db.execute(sql`update integration_connections c set refresh_requested_at = now()
        where c.id in (
          select id from integration_connections
          where status in ('active', 'error') and refresh_due_at <= now() + make_interval(secs => ${horizonSeconds})
            and (refresh_requested_at is null or refresh_requested_at < now() - interval '10 minutes')
          order by refresh_due_at
          limit ${batchSize}
          for update skip locked)
        returning c.id, c.tenant_id, c.provider, c.token_version`),
    );
    if (rows.length === 0) break;
    claimed += rows.length;
    const result = await deps.jobs.batchTrigger(
      REFRESH_TASK_ID,
      rows.map((row) => ({
        payload: { connectionId: row.id },
        options: {
          idempotencyKey: `token-refresh:${row.id}:v${row.token_version}`,
          idempotencyKeyTTL: "15m",
          concurrencyKey: row.tenant_id,
          queue: `token-refresh-${row.provider}`,
          tags: [`provider:${row.provider}`],
        },
      })),
    );
    triggered += result.runCount;
    await options.onProgress?.({ claimed });
    if (rows.length < batchSize) {
      batches++;
      break;
    }
  }
  return { claimed, triggered, batches };
}
