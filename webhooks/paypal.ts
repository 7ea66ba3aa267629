import { z } from "zod";
import { ConfigError } from "../src/errors.ts";
import { inboxTaskId } from "../src/inbox/inbox-task-ids.ts";
import { ingestWebhook, type WebhookSpec } from "../src/ingress/ingest-webhook.ts";
import { verifyPayPalWebhook } from "../src/providers/paypal-webhook.ts";
import { providerConfig } from "../src/providers/provider-config.ts";

const RELEVANT = /^PAYMENT\.(PAYOUTSBATCH|PAYOUTS-ITEM)\./;

const paypalEvent = z.object({ id: z.string().min(1), event_type: z.string().min(1) });

const spec: WebhookSpec = {
  provider: "paypal",
  taskId: inboxTaskId("paypal"),
  async verify(raw, request, deps) {
    const { PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID: webhookId } = deps.env;
    if (!PAYPAL_CLIENT_ID || !PAYPAL_CLIENT_SECRET || !webhookId) {
      throw new ConfigError("PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID are required");
    }
    const header = (name: string) => request.headers.get(`paypal-${name}`);
    await verifyPayPalWebhook(
      raw,
      {
        transmissionId: header("transmission-id"),
        transmissionTime: header("transmission-time"),
        transmissionSig: header("transmission-sig"),
        certUrl: header("cert-url"),
        authAlgo: header("auth-algo"),
      },
      { apiUrl: providerConfig("paypal", deps.env).apiBaseUrl, webhookId },
      {
        http: deps.http,
        // The platform's token, cached in the database for every process, renewed on a 401.
        withToken: (call) => deps.credentials.withCredential("paypal", {}, (c) => call(c.token)),
      },
    );
  },
  async parse(_raw, body) {
    const event = paypalEvent.parse(body);
    if (!RELEVANT.test(event.event_type)) return { ignored: event.event_type };
    // Payout items carry our sender ids; the payouts capability resolves the tenant.
    return { dedupeKey: event.id, type: event.event_type, tenantId: null };
  },
};

/** `POST /webhooks/paypal`. */
export function handlePayPalWebhook(
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  return ingestWebhook(request, params, spec);
}
