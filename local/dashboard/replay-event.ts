import { stringifyIO } from "@trigger.dev/core/v3";
import { sql } from "drizzle-orm";
import { rowsOf } from "../../src/db/types.ts";
import { inboxTaskId } from "../../src/ingress/inbound-providers.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";
import { triggerThroughApi } from "./trigger-through-api.ts";

/**
 * Replays one stored webhook event as `webhooks replay` and `inbox-replay-events` do: a run of the
 * provider's inbox task with `replay` set and a fresh idempotency key, so the event is claimed
 * and routed again (also when it was processed). Returns the run to watch.
 */
export async function replayEvent(
  deps: DashboardDeps,
  origin: string,
  eventId: string,
): Promise<{ runId: string } | { error: string }> {
  const [event] = rowsOf<{ id: string; provider: string; tenant_id: string | null }>(
    await deps.db.execute(
      sql`select id, provider, tenant_id from webhook_events where id::text = ${eventId}`,
    ),
  );
  if (!event) return { error: `No webhook event ${eventId}` };
  return triggerThroughApi(
    deps,
    origin,
    inboxTaskId(event.provider),
    await stringifyIO({ eventId: event.id, replay: true }),
    { idempotencyKey: `replay:${event.id}:${Date.now()}`, concurrencyKey: event.tenant_id ?? "platform" },
  );
}
