import { z } from "zod";
import { inboxTaskId } from "../src/inbox/inbox-task-ids.ts";
import { tenantWebhookSecret } from "../src/inbox/tenant-webhook-secret.ts";
import { ingestWebhook, type WebhookSpec } from "../src/ingress/ingest-webhook.ts";
import { verifyLobWebhook } from "../src/providers/lob-webhook.ts";

const lobEvent = z.object({
  id: z.string().startsWith("evt_"),
  event_type: z.object({ id: z.string().min(1) }),
  reference_id: z.string().optional(),
});

const spec: WebhookSpec = {
  provider: "lob",
  taskId: inboxTaskId("lob"),
  async verify(raw, request, deps, params) {
    // Each tenant has its own Lob account and signing secret (connection field `webhook_secret`).
    const secret = await tenantWebhookSecret(deps, params.tenantId ?? "", "lob", "webhook_secret");
    await verifyLobWebhook(
      raw,
      {
        signature: request.headers.get("lob-signature"),
        timestamp: request.headers.get("lob-signature-timestamp"),
      },
      secret,
    );
  },
  async parse(_raw, body, _deps, params) {
    const event = lobEvent.parse(body);
    if (!event.event_type.id.startsWith("letter.")) return { ignored: event.event_type.id };
    return { dedupeKey: event.id, type: event.event_type.id, tenantId: params.tenantId ?? null };
  },
};

/** `POST /webhooks/lob/{tenantId}`. */
export function handleLobWebhook(request: Request, params: Record<string, string> = {}): Promise<Response> {
  return ingestWebhook(request, params, spec);
}
