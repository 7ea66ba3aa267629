import { sha256Hex } from "../crypto/hmac.ts";
import type { Db } from "../db/types.ts";
import { recordWebhookEvent } from "./record-webhook-event.ts";

/**
 * Keeps a verified but unparseable delivery (status `malformed`, first 64 KiB, deduplicated by a
 * hash of the bytes) so nothing is lost; it never starts a run.
 */
export async function recordMalformedWebhook(
  db: Db,
  provider: string,
  raw: string,
  problem: string,
): Promise<void> {
  await recordWebhookEvent(db, {
    provider,
    dedupeKey: `malformed:${await sha256Hex(raw)}`,
    tenantId: null,
    type: "malformed",
    payload: { raw: raw.slice(0, 65_536) },
    status: "malformed",
    error: problem,
  });
}
