import * as z from "zod/mini";
import { sha256Hex } from "../../crypto/hmac.ts";
import { ConfigError } from "../../errors.ts";
import { verifyPlaidWebhook } from "../../providers/plaid-webhook.ts";
import type { InboundProvider } from "../inbound-provider.ts";

const plaidEvent = z.object({
  webhook_type: z.string().check(z.minLength(1)),
  webhook_code: z.string().check(z.minLength(1)),
  item_id: z.string().check(z.minLength(1)),
});

/** `POST /webhooks/plaid`: an ES256 JWT over the body's hash, keys fetched from Plaid. */
export const plaidInbound: InboundProvider = {
  id: "plaid",
  path: "/webhooks/plaid",
  perTenant: false,
  secretSource: "Plaid's verification keys, fetched with PLAID_CLIENT_ID and PLAID_SECRET",
  async verify(body, request, deps) {
    if (!deps.plaidKeys) throw new ConfigError("PLAID_CLIENT_ID and PLAID_SECRET are not set");
    await verifyPlaidWebhook(body, request.headers.get("plaid-verification"), deps.plaidKeys);
  },
  async identify(body, raw) {
    const event = plaidEvent.parse(body);
    const type = `${event.webhook_type}.${event.webhook_code}`;
    // Plaid sends no event id: item + type + code + a hash of the exact bytes identify a delivery.
    return { dedupeKey: `${event.item_id}:${type}:${await sha256Hex(raw)}`, type };
  },
  sampleEvent: (id) =>
    JSON.stringify(
      {
        webhook_type: "ITEM",
        webhook_code: "ERROR",
        item_id: `item_${id}`,
        error: { error_type: "ITEM_ERROR", error_code: "ITEM_LOGIN_REQUIRED" },
        environment: "sandbox",
      },
      null,
      2,
    ),
};
