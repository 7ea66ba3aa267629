import { type HandlerContext, ingestWebhook } from "../src/ingress/ingest-webhook.ts";
import { retellInbound } from "../src/ingress/providers/retell.ts";

/** `POST /webhooks/retell/{tenantId}` (everything provider-specific is in its inbound descriptor). */
export function handleRetellWebhook(
  request: Request,
  params: Record<string, string> = {},
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
): Promise<Response> {
  return ingestWebhook(request, params, retellInbound, env, context);
}
