import { type HandlerContext, ingestWebhook } from "../src/ingress/ingest-webhook.ts";
import { paypalInbound } from "../src/ingress/providers/paypal.ts";

/** `POST /webhooks/paypal` (everything provider-specific is in its inbound descriptor). */
export function handlePayPalWebhook(
  request: Request,
  params: Record<string, string> = {},
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
): Promise<Response> {
  return ingestWebhook(request, params, paypalInbound, env, context);
}
