import { z } from "zod";
import { ConfigError } from "../src/errors.ts";
import { inboxTaskId } from "../src/inbox/inbox-task-ids.ts";
import { resolveStripeTenant } from "../src/inbox/resolve-stripe-tenant.ts";
import { ingestWebhook, type WebhookSpec } from "../src/ingress/ingest-webhook.ts";
import { verifyStripeWebhook } from "../src/providers/stripe-webhook.ts";

/** Events the payouts capability consumes; every other signed event is acknowledged and ignored. */
const RELEVANT = /^(transfer\.|payout\.|account\.updated$|account\.external_account\.|balance\.available$)/;

const stripeEvent = z.object({
  id: z.string().startsWith("evt_"),
  type: z.string().min(1),
  account: z.string().startsWith("acct_").optional(),
  data: z.object({ object: z.record(z.string(), z.unknown()) }),
});

const spec: WebhookSpec = {
  provider: "stripe",
  taskId: inboxTaskId("stripe"),
  async verify(raw, request, deps) {
    const secret = deps.env.STRIPE_WEBHOOK_SECRET;
    if (!secret) throw new ConfigError("STRIPE_WEBHOOK_SECRET is not set");
    await verifyStripeWebhook(raw, request.headers.get("stripe-signature"), secret);
  },
  async parse(_raw, body, deps) {
    const event = stripeEvent.parse(body);
    if (!RELEVANT.test(event.type)) return { ignored: event.type };
    // Connect events carry the connected account: the tenant that owns it.
    return {
      dedupeKey: event.id,
      type: event.type,
      tenantId: await resolveStripeTenant(deps.db, event.account),
    };
  },
};

/** `POST /webhooks/stripe` (platform and Connect endpoints). */
export function handleStripeWebhook(
  request: Request,
  params: Record<string, string> = {},
): Promise<Response> {
  return ingestWebhook(request, params, spec);
}
