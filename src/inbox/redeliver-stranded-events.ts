import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";
import { inboundProviderIds, inboxTaskId } from "../ingress/inbound-providers.ts";
import type { JobQueue } from "../jobs.ts";

/**
 * An event still `received` this long after it arrived was acknowledged but perhaps never
 * enqueued: a handler's deferred trigger failed or its isolate was stopped first (decision 031).
 */
export const STRANDED_AFTER_MS = 2 * 60_000;

export interface RedeliverOptions {
  /** Age past which a `received` event counts as stranded (default STRANDED_AFTER_MS). */
  olderThanMs?: number;
  /** Events per provider per run (default 1,000, oldest first). */
  limit?: number;
}

/**
 * Cross-tenant (a sweep, run as the database owner): triggers the processing task of every event
 * still `received` past the age, oldest first, with the handler's own idempotency key
 * (`<provider>:<dedupe key>`). An event whose first trigger did land, and whose run is merely
 * queued, is therefore not run twice: Trigger.dev answers with the existing run. One statement per
 * inbound provider, on the (provider, status, received_at) index.
 */
export async function redeliverStrandedEvents(
  deps: { db: Db; jobs: JobQueue },
  options: RedeliverOptions = {},
): Promise<{ stranded: number; triggered: number }> {
  const seconds = (options.olderThanMs ?? STRANDED_AFTER_MS) / 1000;
  const limit = options.limit ?? 1_000;
  let stranded = 0;
  let triggered = 0;
  for (const provider of inboundProviderIds()) {
    const rows = rowsOf<{ id: string; dedupe_key: string; tenant_id: string | null }>(
      await deps.db.execute(sql`select id, dedupe_key, tenant_id from webhook_events
        where provider = ${provider} and status = 'received'
          and received_at < now() - make_interval(secs => ${seconds})
        order by received_at limit ${limit}`),
    );
    if (rows.length === 0) continue;
    stranded += rows.length;
    const result = await deps.jobs.batchTrigger(
      inboxTaskId(provider),
      rows.map((row) => ({
        payload: { eventId: row.id },
        options: {
          idempotencyKey: `${provider}:${row.dedupe_key}`,
          concurrencyKey: row.tenant_id ?? "platform",
        },
      })),
    );
    triggered += result.runCount;
  }
  return { stranded, triggered };
}
