import { sql } from "drizzle-orm";
import type { WebhookEventStatus } from "../../db/schema.ts";
import { toHex } from "../crypto/encoding.ts";
import { type Db, rowsOf } from "../db/types.ts";
import { jsonbCanHold } from "./jsonb-can-hold.ts";

export interface InboundEvent {
  provider: string;
  dedupeKey: string;
  tenantId: string | null;
  type: string;
  /** The exact bytes received. */
  body: Uint8Array;
  /** The body as JSON text, when it is valid JSON (stored as jsonb when jsonb can hold it). */
  json?: string | undefined;
  status?: Extract<WebhookEventStatus, "received" | "malformed">;
  error?: string;
}

export interface RecordedEvent {
  id: string;
  status: WebhookEventStatus;
  duplicate: boolean;
}

/**
 * Stores an inbound event exactly once per (provider, dedupe key): the first delivery inserts,
 * every later one gets the stored row back with `duplicate: true`. A body jsonb cannot hold
 * (`\u0000`, a lone surrogate, deep nesting, not JSON at all) is kept as its exact bytes instead,
 * so a verified delivery is never refused for its content. Single statements only, so it runs
 * on the edge HTTP driver.
 */
export async function recordWebhookEvent(db: Db, event: InboundEvent): Promise<RecordedEvent> {
  const asJson = event.json !== undefined && jsonbCanHold(event.json) ? event.json : null;
  const rawHex = asJson === null ? toHex(event.body) : null;
  const [inserted] = rowsOf<{ id: string; status: WebhookEventStatus }>(
    await db.execute(sql`insert into webhook_events (provider, dedupe_key, tenant_id, type, payload, raw_body, status, error)
      values (${event.provider}, ${event.dedupeKey}, ${event.tenantId}, ${event.type},
        ${asJson}::jsonb, decode(${rawHex}::text, 'hex'), ${event.status ?? "received"}, ${event.error ?? null})
      on conflict (provider, dedupe_key) do nothing
      returning id, status`),
  );
  if (inserted) return { ...inserted, duplicate: false };
  // A concurrent first delivery may commit just after our insert's snapshot: look again.
  for (let attempt = 0; attempt < 3; attempt++) {
    const [existing] = rowsOf<{ id: string; status: WebhookEventStatus }>(
      await db.execute(sql`select id, status from webhook_events
        where provider = ${event.provider} and dedupe_key = ${event.dedupeKey}`),
    );
    if (existing) return { ...existing, duplicate: true };
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`webhook event ${event.provider}/${event.dedupeKey} conflicted but cannot be read`);
}
