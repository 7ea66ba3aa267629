import { randomUUID } from "node:crypto";
import type { PlaidSigner } from "./webhook-signers.ts";
import { signLob, signPayPal, signRetell, signStripe } from "./webhook-signers.ts";

export type EmitProvider = "stripe" | "plaid" | "lob" | "retell" | "paypal";

export interface EmitOptions {
  /** The runtime's base URL (http://localhost:3000). */
  baseUrl: string;
  tenantId?: string | undefined;
  /** Stripe: STRIPE_WEBHOOK_SECRET; Lob: the tenant's webhook secret; Retell: the tenant's API key. */
  secret?: string | undefined;
  plaidSigner?: PlaidSigner | undefined;
  payPal?: { signingKey: string; webhookId: string } | undefined;
}

function sampleEvent(provider: EmitProvider): string {
  const id = randomUUID().replace(/-/g, "").slice(0, 16);
  switch (provider) {
    case "stripe":
      return JSON.stringify({
        id: `evt_${id}`,
        object: "event",
        type: "payout.paid",
        data: { object: { id: `po_${id}` } },
      });
    case "plaid":
      return JSON.stringify(
        { webhook_type: "AUTH", webhook_code: "AUTOMATICALLY_VERIFIED", item_id: `item_${id}` },
        null,
        2,
      );
    case "lob":
      return JSON.stringify({
        id: `evt_${id}`,
        event_type: { id: "letter.mailed" },
        reference_id: `ltr_${id}`,
        body: {},
      });
    case "retell":
      return JSON.stringify({ event: "call_ended", call: { call_id: `call_${id}`, call_status: "ended" } });
    case "paypal":
      return JSON.stringify({ id: `WH-${id}`, event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED", resource: {} });
  }
}

/** Sends a correctly signed sample event, as the provider's own servers would, to a runtime. */
export async function emitWebhook(
  provider: EmitProvider,
  options: EmitOptions,
): Promise<{ status: number; body: unknown }> {
  const raw = sampleEvent(provider);
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(
        `sandbox emit ${provider} needs ${what}; is \`npm start\` running in sandbox mode on this DATA_DIR?`,
      );
    return value;
  };
  let headers: Record<string, string>;
  let path = `/webhooks/${provider}`;
  if (provider === "lob" || provider === "retell") path += `/${need(options.tenantId, "--tenant")}`;
  if (provider === "stripe")
    headers = { "stripe-signature": signStripe(raw, need(options.secret, "STRIPE_WEBHOOK_SECRET")) };
  else if (provider === "lob")
    headers = signLob(raw, need(options.secret, "the tenant's Lob webhook secret"));
  else if (provider === "retell")
    headers = { "x-retell-signature": signRetell(raw, need(options.secret, "the tenant's Retell key")) };
  else if (provider === "plaid")
    headers = { "plaid-verification": await need(options.plaidSigner, "the sandbox Plaid key").sign(raw) };
  else {
    const payPal = need(options.payPal, "the sandbox PayPal");
    headers = signPayPal(raw, payPal.signingKey, payPal.webhookId);
  }
  const response = await fetch(`${options.baseUrl.replace(/\/+$/, "")}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: raw,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}
