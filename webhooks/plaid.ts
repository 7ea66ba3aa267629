import { type HandlerContext, ingestWebhook } from "../src/ingress/ingest-webhook.ts";
import { plaidInbound } from "../src/ingress/providers/plaid.ts";

/** `POST /webhooks/plaid` (everything provider-specific is in its inbound descriptor). */
export function handlePlaidWebhook(
  request: Request,
  params: Record<string, string> = {},
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
): Promise<Response> {
  return ingestWebhook(request, params, plaidInbound, env, context);
}
