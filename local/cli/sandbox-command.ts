import type { Command } from "commander";
import type { JWK } from "jose";
import { getConfig } from "../../src/config.ts";
import { getKeyRing } from "../../src/crypto/load-key-ring.ts";
import { tenantWebhookSecret } from "../../src/inbox/tenant-webhook-secret.ts";
import { type EmitProvider, emitWebhook } from "../sandbox/emit-webhook.ts";
import { createPlaidSigner } from "../sandbox/webhook-signers.ts";
import { emit } from "./output.ts";
import { withDb } from "./with-db.ts";

const PROVIDERS = ["stripe", "plaid", "lob", "retell", "paypal"];

export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("drive the sandbox simulators of a running `npm start`");
  sandbox
    .command("emit <provider>")
    .description(
      "send a correctly signed sample webhook (stripe | plaid | lob | retell | paypal) to the runtime",
    )
    .option("--tenant <id>", "the tenant (Lob and Retell sign with the tenant's secret)")
    .option("--url <baseUrl>", "the runtime's base URL (default http://localhost:$PORT)")
    .option("--json", "print JSON")
    .action(async (provider: string, opts: { tenant?: string; url?: string; json?: boolean }) => {
      if (!PROVIDERS.includes(provider)) throw new Error(`provider must be one of ${PROVIDERS.join(", ")}`);
      const env = process.env;
      let secret = provider === "stripe" ? env.STRIPE_WEBHOOK_SECRET : undefined;
      if ((provider === "lob" || provider === "retell") && opts.tenant) {
        const field = provider === "lob" ? "webhook_secret" : "api_key";
        secret = await withDb(async (h) =>
          tenantWebhookSecret({ db: h.db, keyRing: await getKeyRing() }, opts.tenant!, provider, field),
        );
      }
      const result = await emitWebhook(provider as EmitProvider, {
        baseUrl: opts.url ?? `http://localhost:${getConfig().PORT}`,
        tenantId: opts.tenant,
        secret,
        plaidSigner: env.SANDBOX_PLAID_SIGNING_JWK
          ? await createPlaidSigner(JSON.parse(env.SANDBOX_PLAID_SIGNING_JWK) as JWK)
          : undefined,
        payPal:
          env.SANDBOX_PAYPAL_SIGNING_KEY && env.PAYPAL_WEBHOOK_ID
            ? { signingKey: env.SANDBOX_PAYPAL_SIGNING_KEY, webhookId: env.PAYPAL_WEBHOOK_ID }
            : undefined,
      });
      emit(opts.json, result, () => `${provider}: HTTP ${result.status} ${JSON.stringify(result.body)}`);
      if (result.status !== 200) process.exitCode = 1;
    });
}
