import { randomUUID } from "node:crypto";
import { findInboundProvider, inboundProviderIds } from "../../src/ingress/inbound-providers.ts";
import type { PlaidSigner } from "./webhook-signers.ts";
import { signLob, signPayPal, signRetell, signStripe } from "./webhook-signers.ts";

export interface EmitOptions {
  /** The runtime's base URL (http://localhost:3000). */
  baseUrl: string;
  tenantId?: string | undefined;
  /** Stripe: STRIPE_WEBHOOK_SECRET; Lob: the tenant's webhook secret; Retell: the tenant's API key. */
  secret?: string | undefined;
  plaidSigner?: PlaidSigner | undefined;
  payPal?: { signingKey: string; webhookId: string } | undefined;
}

/** Sends a correctly signed sample event, as the provider's own servers would, to a runtime. */
export async function emitWebhook(
  provider: string,
  options: EmitOptions,
): Promise<{ status: number; body: unknown }> {
  const descriptor = findInboundProvider(provider);
  if (!descriptor) {
    throw new Error(`provider must be one of ${inboundProviderIds().join(", ")}`);
  }
  const raw = descriptor.sampleEvent(randomUUID().replace(/-/g, "").slice(0, 16));
  const need = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(
        `sandbox emit ${provider} needs ${what}; is \`npm start\` running in sandbox mode on this DATA_DIR?`,
      );
    return value;
  };
  let headers: Record<string, string>;
  const path = descriptor.perTenant
    ? descriptor.path.replace(":tenantId", encodeURIComponent(need(options.tenantId, "--tenant")))
    : descriptor.path;
  if (provider === "stripe")
    headers = { "stripe-signature": signStripe(raw, need(options.secret, "STRIPE_WEBHOOK_SECRET")) };
  else if (provider === "lob")
    headers = signLob(raw, need(options.secret, "the tenant's Lob webhook secret"));
  else if (provider === "retell")
    headers = { "x-retell-signature": signRetell(raw, need(options.secret, "the tenant's Retell key")) };
  else if (provider === "plaid")
    headers = { "plaid-verification": await need(options.plaidSigner, "the sandbox Plaid key").sign(raw) };
  else if (provider === "paypal") {
    const payPal = need(options.payPal, "the sandbox PayPal");
    headers = signPayPal(raw, payPal.signingKey, payPal.webhookId);
  } else throw new Error(`the sandbox has no signer for ${provider} yet`);
  const response = await fetch(`${options.baseUrl.replace(/\/+$/, "")}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body: raw,
  });
  return { status: response.status, body: await response.json().catch(() => null) };
}
