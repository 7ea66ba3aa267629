import * as z from "zod/mini";
import { ConfigError } from "../../errors.ts";
import { resolveStripeTenant } from "../../inbox/resolve-stripe-tenant.ts";
import { parseStripeSecrets, verifyStripeWebhook } from "../../providers/stripe-webhook.ts";
import type { InboundProvider } from "../inbound-provider.ts";

const stripeEvent = z.object({
  id: z.string().check(z.startsWith("evt_")),
  type: z.string().check(z.minLength(1)),
  account: z.optional(z.string().check(z.startsWith("acct_"))),
});

/** `POST /webhooks/stripe`: platform and Connect endpoints, one secret each in STRIPE_WEBHOOK_SECRET. */
export const stripeInbound: InboundProvider = {
  id: "stripe",
  path: "/webhooks/stripe",
  perTenant: false,
  secretSource: "STRIPE_WEBHOOK_SECRET (comma-separated: platform and Connect endpoint secrets)",
  async verify(body, request, deps) {
    const secrets = parseStripeSecrets(deps.env.STRIPE_WEBHOOK_SECRET);
    if (secrets.length === 0) throw new ConfigError("STRIPE_WEBHOOK_SECRET is not set");
    await verifyStripeWebhook(body, request.headers.get("stripe-signature"), secrets);
  },
  async identify(body) {
    const event = stripeEvent.parse(body);
    return { dedupeKey: event.id, type: event.type };
  },
  // Connect events carry the connected account: the tenant that owns it.
  resolveTenant: (body, deps) => resolveStripeTenant(deps.db, stripeEvent.parse(body).account),
  sampleEvent: (id) =>
    JSON.stringify({
      id: `evt_${id}`,
      object: "event",
      type: "account.application.deauthorized",
      account: "acct_sandbox",
      data: { object: { id: "ca_sandbox", object: "application" } },
    }),
};
