import { type HandlerContext, ingestWebhook } from "../src/ingress/ingest-webhook.ts";
import { stripeInbound } from "../src/ingress/providers/stripe.ts";

/** `POST /webhooks/stripe` (everything provider-specific is in its inbound descriptor). */
export function handleStripeWebhook(
  request: Request,
  params: Record<string, string> = {},
  env?: Record<string, string | undefined>,
  context?: HandlerContext,
): Promise<Response> {
  return ingestWebhook(request, params, stripeInbound, env, context);
}
