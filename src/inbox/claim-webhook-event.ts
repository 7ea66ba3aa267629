import { sql } from "drizzle-orm";
import type { WebhookEventStatus } from "../../db/schema.ts";
import type { CapabilityEvent } from "../capabilities/capability.ts";
import { fromHex, fromUtf8 } from "../crypto/encoding.ts";
import { type Db, rowsOf } from "../db/types.ts";

/** How long a claim lasts: at least the task's maxDuration, so a live attempt keeps its event. */
export const INBOX_LEASE_MS = 15 * 60_000;

interface Row {
  id: string;
  provider: string;
  type: string;
  tenant_id: string | null;
  payload: unknown;
  raw_hex: string | null;
}

export type Claim =
  | { claimed: true; event: CapabilityEvent }
  | { claimed: false; status: WebhookEventStatus; leaseMsLeft: number };

/**
 * Takes an event for processing by compare-and-set: only from `received`, `failed` or `unrouted`
 * (plus `processed` on replay), or from `processing` whose lease has expired (its worker died).
 * Exactly one of any number of concurrent claimers wins; the others learn who holds it and for
 * how long. `malformed` is never claimed.
 */
export async function claimWebhookEvent(
  db: Db,
  eventId: string,
  owner: string,
  options: { replay?: boolean; leaseMs?: number } = {},
): Promise<Claim | undefined> {
  const claimable = options.replay
    ? ["received", "failed", "unrouted", "processed"]
    : ["received", "failed", "unrouted"];
  const [row] = rowsOf<Row>(
    await db.execute(sql`update webhook_events set status = 'processing', attempts = attempts + 1, error = null,
        lease_owner = ${owner}, lease_until = now() + ${options.leaseMs ?? INBOX_LEASE_MS} * interval '1 millisecond'
      where id = ${eventId} and (status = any(${`{${claimable.join(",")}}`}::text[])
        or (status = 'processing' and (lease_until is null or lease_until < now())))
      returning id, provider, type, tenant_id, payload, encode(raw_body, 'hex') as raw_hex`),
  );
  if (row) {
    const payload = row.payload ?? (row.raw_hex === null ? null : parseRaw(row.raw_hex));
    return {
      claimed: true,
      event: { id: row.id, provider: row.provider, type: row.type, tenantId: row.tenant_id, payload },
    };
  }
  const [existing] = rowsOf<{ status: WebhookEventStatus; left_ms: number | string | null }>(
    await db.execute(sql`select status,
        greatest(0, extract(epoch from (lease_until - now())) * 1000) as left_ms
      from webhook_events where id = ${eventId}`),
  );
  if (!existing) return undefined;
  return { claimed: false, status: existing.status, leaseMsLeft: Number(existing.left_ms ?? 0) };
}

/** A body kept as bytes because jsonb could not hold it: JavaScript can. */
function parseRaw(hex: string): unknown {
  return JSON.parse(fromUtf8(fromHex(hex)));
}
