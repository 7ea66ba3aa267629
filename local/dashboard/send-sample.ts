import type { JWK } from "jose";
import { getKeyRing } from "../../src/crypto/load-key-ring.ts";
import { tenantWebhookSecret } from "../../src/inbox/tenant-webhook-secret.ts";
import { findInboundProvider } from "../../src/ingress/inbound-providers.ts";
import { emitWebhook } from "../sandbox/emit-webhook.ts";
import { createPlaidSigner } from "../sandbox/webhook-signers.ts";
import type { DashboardDeps } from "./dashboard-deps.ts";

/**
 * "Send a sample": the `sandbox emit` path from the dashboard. A correctly signed sample event
 * goes to this runtime's own webhook door, signed with the sandbox's per-start keys (or, for
 * per-tenant providers, the tenant's stored secret). The secrets stay on the server.
 */
export async function sendSample(
  deps: DashboardDeps,
  origin: string,
  provider: string,
  tenantId: string | undefined,
): Promise<{ status: number; message: string }> {
  const descriptor = findInboundProvider(provider);
  if (!descriptor) return { status: 400, message: `Unknown provider ${provider}` };
  const env = process.env;
  let secret = provider === "stripe" ? env.STRIPE_WEBHOOK_SECRET : undefined;
  if (descriptor.perTenant) {
    if (!tenantId) return { status: 400, message: `${provider} samples need a tenant` };
    const field = provider === "lob" ? "webhook_secret" : "api_key";
    try {
      secret = await tenantWebhookSecret(
        { db: deps.db, keyRing: await getKeyRing() },
        tenantId,
        provider,
        field,
      );
    } catch (err) {
      return { status: 400, message: (err as Error).message };
    }
  }
  try {
    const result = await emitWebhook(provider, {
      baseUrl: origin,
      tenantId,
      secret,
      plaidSigner: env.SANDBOX_PLAID_SIGNING_JWK
        ? await createPlaidSigner(JSON.parse(env.SANDBOX_PLAID_SIGNING_JWK) as JWK)
        : undefined,
      payPal:
        env.SANDBOX_PAYPAL_SIGNING_KEY && env.PAYPAL_WEBHOOK_ID
          ? { signingKey: env.SANDBOX_PAYPAL_SIGNING_KEY, webhookId: env.PAYPAL_WEBHOOK_ID }
          : undefined,
    });
    return {
      status: result.status,
      message: `Sent a sample ${provider} event: the webhook door answered HTTP ${result.status}`,
    };
  } catch (err) {
    return { status: 400, message: (err as Error).message };
  }
}
