import { sql } from "drizzle-orm";
import type { WebhookEventStatus } from "../../db/schema.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { describeError, NotFoundError } from "../errors.ts";
import { capabilityFor, eventHandlerFor } from "./capabilities.ts";

export interface ProcessResult {
  eventId: string;
  status: WebhookEventStatus;
  capability: string;
  reason?: string;
}

interface Row {
  id: string;
  provider: string;
  type: string;
  tenant_id: string | null;
  payload: unknown;
  status: WebhookEventStatus;
}

/**
 * Processes one stored event: marks it, routes it to the capability that owns it and records the
 * outcome. With no handler for that capability yet the event becomes `unrouted` with the reason —
 * visible, replayable, never dropped. Already processed events are skipped unless `replay`.
 */
export async function processWebhookEvent(
  db: Db,
  eventId: string,
  options: { replay?: boolean } = {},
): Promise<ProcessResult> {
  const done = options.replay ? "" : "and status not in ('processed', 'malformed')";
  const [row] = rowsOf<Row>(
    await db.execute(sql`update webhook_events set status = 'processing', attempts = attempts + 1, error = null
      where id = ${eventId} ${sql.raw(done)}
      returning id, provider, type, tenant_id, payload, status`),
  );
  if (!row) {
    const [existing] = rowsOf<{ status: WebhookEventStatus; provider: string; type: string }>(
      await db.execute(sql`select status, provider, type from webhook_events where id = ${eventId}`),
    );
    if (!existing) throw new NotFoundError(`No webhook event ${eventId}`);
    return { eventId, status: existing.status, capability: capabilityFor(existing.provider, existing.type) };
  }
  const capability = capabilityFor(row.provider, row.type);
  const handler = eventHandlerFor(capability);
  const finish = async (status: WebhookEventStatus, error: string | null) => {
    await db.execute(sql`update webhook_events set status = ${status}, capability = ${capability}, error = ${error},
      processed_at = now() where id = ${eventId}`);
  };
  if (!handler) {
    const reason = `The ${capability} capability is not installed yet; replay this event once it is`;
    await finish("unrouted", reason);
    return { eventId, status: "unrouted", capability, reason };
  }
  try {
    await handler({
      id: row.id,
      provider: row.provider,
      type: row.type,
      tenantId: row.tenant_id,
      payload: row.payload,
    });
  } catch (err) {
    await finish("failed", describeError(err).message);
    throw err;
  }
  await finish("processed", null);
  return { eventId, status: "processed", capability };
}
