import { and, desc, eq } from "drizzle-orm";
import { type WebhookEventStatus, webhookEvents } from "../../db/schema.ts";
import type { Db } from "../db/types.ts";

export interface WebhookEventFilter {
  provider?: string | undefined;
  status?: string | undefined;
  limit?: number;
}

/** Stored events, newest first (an operator view across tenants). */
export async function listWebhookEvents(db: Db, filter: WebhookEventFilter = {}) {
  const conditions = [];
  if (filter.provider) conditions.push(eq(webhookEvents.provider, filter.provider));
  if (filter.status) conditions.push(eq(webhookEvents.status, filter.status as WebhookEventStatus));
  const rows = await db
    .select()
    .from(webhookEvents)
    .where(conditions.length ? and(...conditions) : undefined)
    .orderBy(desc(webhookEvents.receivedAt), desc(webhookEvents.id))
    .limit(filter.limit ?? 100);
  return rows.map((row) => ({
    id: row.id,
    provider: row.provider,
    dedupeKey: row.dedupeKey,
    type: row.type,
    status: row.status,
    tenantId: row.tenantId,
    capability: row.capability,
    error: row.error,
    attempts: row.attempts,
    receivedAt: row.receivedAt.toISOString(),
    processedAt: row.processedAt?.toISOString() ?? null,
  }));
}
