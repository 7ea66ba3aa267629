import { sha256Hex } from "../crypto/hmac.ts";
import type { Db } from "../db/types.ts";
import { recordWebhookEvent } from "./record-webhook-event.ts";

/**
 * Keeps a verified but unparseable delivery (status `malformed`, its exact bytes, deduplicated
 * by their hash) so nothing is lost; it never starts a run.
 */
export async function recordMalformedWebhook(
  db: Db,
  provider: string,
  body: Uint8Array<ArrayBuffer>,
  problem: string,
): Promise<void> {
  await recordWebhookEvent(db, {
    provider,
    dedupeKey: `malformed:${await sha256Hex(body)}`,
    tenantId: null,
    type: "malformed",
    body,
    status: "malformed",
    error: problem,
  });
}
