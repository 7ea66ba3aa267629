import { type HandlerContext, ingestWebhook } from "../src/ingress/ingest-webhook.ts";
import { lobInbound } from "../src/ingress/providers/lob.ts";

/** `POST /webhooks/lob/{tenantId}` (everything provider-specific is in its inbound descriptor). */
export function handleLobWebhook(
  request: Request,
  params: Record<string, string> = {},
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
): Promise<Response> {
  return ingestWebhook(request, params, lobInbound, env, context);
}
