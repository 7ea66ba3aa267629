import * as z from "zod/mini";
import { fromUtf8 } from "../../crypto/encoding.ts";
import { ConfigError } from "../../errors.ts";
import { verifyPayPalWebhook } from "../../providers/paypal-webhook.ts";
import { providerConfig } from "../../providers/provider-config.ts";
import { WebhookVerificationError } from "../../providers/webhook-verification-error.ts";
import type { InboundProvider } from "../inbound-provider.ts";

const paypalEvent = z.object({
  id: z.string().check(z.minLength(1)),
  event_type: z.string().check(z.minLength(1)),
});

/** `POST /webhooks/paypal`: verified by PayPal's verify-webhook-signature API. */
export const paypalInbound: InboundProvider = {
  id: "paypal",
  path: "/webhooks/paypal",
  perTenant: false,
  secretSource: "PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID (PayPal verifies)",
  async verify(body, request, deps) {
    const { PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET, PAYPAL_WEBHOOK_ID: webhookId } = deps.env;
    if (!PAYPAL_CLIENT_ID || !PAYPAL_CLIENT_SECRET || !webhookId) {
      throw new ConfigError("PAYPAL_CLIENT_ID, PAYPAL_CLIENT_SECRET and PAYPAL_WEBHOOK_ID are required");
    }
    let text: string;
    try {
      text = fromUtf8(body);
    } catch {
      throw new WebhookVerificationError("paypal", "malformed_header", "PayPal body is not UTF-8");
    }
    const header = (name: string) => request.headers.get(`paypal-${name}`);
    await verifyPayPalWebhook(
      text,
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
  async identify(body) {
    // Payout items carry our sender ids; the payouts capability resolves the tenant.
    const event = paypalEvent.parse(body);
    return { dedupeKey: event.id, type: event.event_type };
  },
  sampleEvent: (id) =>
    JSON.stringify({ id: `WH-${id}`, event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED", resource: {} }),
};
