import * as z from "zod/mini";
import { cachedTenantWebhookSecret } from "../../inbox/tenant-webhook-secret.ts";
import { verifyRetellWebhook } from "../../providers/retell-webhook.ts";
import type { InboundProvider } from "../inbound-provider.ts";

const retellEvent = z.object({
  event: z.string().check(z.minLength(1)),
  call: z.looseObject({ call_id: z.string().check(z.minLength(1)) }),
});

/** `POST /webhooks/retell/{tenantId}`: signed with the tenant's Retell API key. */
export const retellInbound: InboundProvider = {
  id: "retell",
  path: "/webhooks/retell/:tenantId",
  perTenant: true,
  secretSource: "the tenant's Retell connection, field api_key (the key with the webhook badge)",
  async verify(body, request, deps, params) {
    await verifyRetellWebhook(body, request.headers.get("x-retell-signature"), () =>
      cachedTenantWebhookSecret(deps, params.tenantId ?? "", "retell", "api_key"),
    );
  },
  async identify(body) {
    const event = retellEvent.parse(body);
    return { dedupeKey: `${event.call.call_id}:${event.event}`, type: event.event };
  },
  sampleEvent: (id) =>
    JSON.stringify({ event: "call_ended", call: { call_id: `call_${id}`, call_status: "ended" } }),
};
