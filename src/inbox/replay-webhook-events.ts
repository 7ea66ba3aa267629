import { sql } from "drizzle-orm";
import { type Db, rowsOf } from "../db/types.ts";
import { ValidationError } from "../errors.ts";
import { inboundProviderIds, inboxTaskId } from "../ingress/inbound-providers.ts";
import type { JobQueue } from "../jobs.ts";

export interface ReplayFilter {
  provider?: string | undefined;
  status?: string | undefined;
  receivedAfter?: string | undefined;
  limit?: number | undefined;
}

/**
 * Re-runs processing for stored events matching a filter (default: unrouted and failed ones),
 * one run per event with a fresh idempotency key, `replay` set so processed events run again.
 */
export async function replayWebhookEvents(deps: { db: Db; jobs: JobQueue }, filter: ReplayFilter) {
  const providers = inboundProviderIds();
  if (filter.provider && !providers.includes(filter.provider)) {
    throw new ValidationError(`Unknown webhook provider "${filter.provider}"`);
  }
  const statuses = filter.status ? [filter.status] : ["unrouted", "failed"];
  const rows = rowsOf<{ id: string; provider: string; tenant_id: string | null }>(
    await deps.db.execute(sql`select id, provider, tenant_id from webhook_events
      where status = any(${`{${statuses.join(",")}}`}::text[])
        and (${filter.provider ?? null}::text is null or provider = ${filter.provider ?? null})
        and (${filter.receivedAfter ?? null}::timestamptz is null or received_at > ${filter.receivedAfter ?? null})
      order by received_at limit ${Math.min(filter.limit ?? 1_000, 10_000)}`),
  );
  const stamp = Date.now();
  let triggered = 0;
  for (const provider of providers) {
    const items = rows.filter((r) => r.provider === provider);
    if (items.length === 0) continue;
    const result = await deps.jobs.batchTrigger(
      inboxTaskId(provider),
      items.map((r) => ({
        payload: { eventId: r.id, replay: true },
        options: { idempotencyKey: `replay:${r.id}:${stamp}`, concurrencyKey: r.tenant_id ?? "platform" },
      })),
    );
    triggered += result.runCount;
  }
  return { matched: rows.length, triggered };
}
