import { z } from "zod";
import { sha256Hex } from "../src/crypto/hmac.ts";
import { ConfigError } from "../src/errors.ts";
import { inboxTaskId } from "../src/inbox/inbox-task-ids.ts";
import { ingestWebhook, type WebhookSpec } from "../src/ingress/ingest-webhook.ts";
import { verifyPlaidWebhook } from "../src/providers/plaid-webhook.ts";

const RELEVANT_TYPES = new Set(["ITEM", "AUTH"]);

const plaidEvent = z.object({
  webhook_type: z.string().min(1),
  webhook_code: z.string().min(1),
  item_id: z.string().min(1),
});

const spec: WebhookSpec = {
  provider: "plaid",
  taskId: inboxTaskId("plaid"),
  async verify(raw, request, deps) {
    if (!deps.plaidKeys) throw new ConfigError("PLAID_CLIENT_ID and PLAID_SECRET are not set");
    await verifyPlaidWebhook(raw, request.headers.get("plaid-verification"), deps.plaidKeys);
  },
  async parse(raw, body) {
    const event = plaidEvent.parse(body);
    const type = `${event.webhook_type}.${event.webhook_code}`;
    if (!RELEVANT_TYPES.has(event.webhook_type)) return { ignored: type };
    // Plaid sends no event id: item + type + code + a hash of the exact bytes identify a delivery.
    const dedupeKey = `${event.item_id}:${type}:${await sha256Hex(raw)}`;
    // The item belongs to a payee; bank verification resolves it when processing.
    return { dedupeKey, type, tenantId: null };
  },
};

/** `POST /webhooks/plaid`. */
export function handlePlaidWebhook(request: Request, params: Record<string, string> = {}): Promise<Response> {
  return ingestWebhook(request, params, spec);
}
