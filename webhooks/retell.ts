import { z } from "zod";
import { inboxTaskId } from "../src/inbox/inbox-task-ids.ts";
import { tenantWebhookSecret } from "../src/inbox/tenant-webhook-secret.ts";
import { ingestWebhook, type WebhookSpec } from "../src/ingress/ingest-webhook.ts";
import { verifyRetellWebhook } from "../src/providers/retell-webhook.ts";

const RELEVANT = new Set(["call_ended", "call_analyzed"]);

const retellEvent = z.object({
  event: z.string().min(1),
  call: z.object({ call_id: z.string().min(1) }).loose(),
});

const spec: WebhookSpec = {
  provider: "retell",
  taskId: inboxTaskId("retell"),
  async verify(raw, request, deps, params) {
    // Retell signs with the tenant's API key (the one with the webhook badge).
    const apiKey = await tenantWebhookSecret(deps, params.tenantId ?? "", "retell", "api_key");
    await verifyRetellWebhook(raw, request.headers.get("x-retell-signature"), apiKey);
  },
  async parse(_raw, body, _deps, params) {
    const event = retellEvent.parse(body);
    if (!RELEVANT.has(event.event)) return { ignored: event.event };
    return {
      dedupeKey: `${event.call.call_id}:${event.event}`,
      type: event.event,
      tenantId: params.tenantId ?? null,
    };
  },
};

/** `POST /webhooks/retell/{tenantId}`. */
export function handleRetellWebhook(
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  return ingestWebhook(request, params, spec);
}
