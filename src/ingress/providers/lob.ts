import * as z from "zod/mini";
import { cachedTenantWebhookSecret } from "../../inbox/tenant-webhook-secret.ts";
import { verifyLobWebhook } from "../../providers/lob-webhook.ts";
import type { InboundProvider } from "../inbound-provider.ts";

const lobEvent = z.object({
  id: z.string().check(z.startsWith("evt_")),
  event_type: z.object({ id: z.string().check(z.minLength(1)) }),
});

/** `POST /webhooks/lob/{tenantId}`: each tenant has its own Lob account and signing secret. */
export const lobInbound: InboundProvider = {
  id: "lob",
  path: "/webhooks/lob/:tenantId",
  perTenant: true,
  secretSource: "the tenant's Lob connection, field webhook_secret",
  async verify(body, request, deps, params) {
    await verifyLobWebhook(
      body,
      {
        signature: request.headers.get("lob-signature"),
        timestamp: request.headers.get("lob-signature-timestamp"),
      },
      () => cachedTenantWebhookSecret(deps, params.tenantId ?? "", "lob", "webhook_secret"),
    );
  },
  async identify(body) {
    const event = lobEvent.parse(body);
    return { dedupeKey: event.id, type: event.event_type.id };
  },
  sampleEvent: (id) =>
    JSON.stringify({
      id: `evt_${id}`,
      event_type: { id: "letter.mailed" },
      reference_id: `ltr_${id}`,
      body: {},
    }),
};
