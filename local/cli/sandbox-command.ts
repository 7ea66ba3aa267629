import type { Command } from "commander";
import type { JWK } from "jose";
import { ValidationError } from "../../src/errors.ts";
import { inboundProviderIds, inboundProviders } from "../../src/ingress/inbound-providers.ts";
import { dataDirOf, readRuntimeRecord } from "../runtime-file.ts";
import { cliIo, emit, fail } from "./output.ts";
import { withDb } from "./with-db.ts";

const PROVIDERS = inboundProviderIds();
const PER_TENANT = inboundProviders.filter((p) => p.perTenant);

/** The running `npm start`'s base URL: its own when forwarded, else from DATA_DIR/runtime.json. */
function runtimeUrl(explicit?: string): string {
  const url = explicit ?? cliIo().runtime?.url ?? readRuntimeRecord(dataDirOf())?.url;
  if (!url) {
    throw new ValidationError(
      "No running `npm start` found for this DATA_DIR; start it in another terminal (or pass --url)",
    );
  }
  return url;
}

export function registerSandboxCommand(program: Command): void {
  const sandbox = program
    .command("sandbox")
    .description("drive the sandbox simulators of a running `npm start`");
  sandbox
    .command("info")
    .description("the simulators' endpoints and the test keys they accept")
    .option("--json", "print JSON")
    .action(async (opts: { json?: boolean }) => {
      const { sandboxInfo } = await import("../sandbox/sandbox-info.ts");
      const info = sandboxInfo(cliIo().runtime?.sandbox?.env ?? readRuntimeRecord(dataDirOf())?.sandboxEnv);
      emit(opts.json, info, () => info.text);
    });
  sandbox
    .command("emit")
    .description("send a correctly signed sample webhook to the running `npm start`")
    .addArgument(program.createArgument("<provider>", "the provider").choices(PROVIDERS))
    .option(
      "--tenant <id>",
      `the tenant (${PER_TENANT.map((p) => `${p.id} signs with ${p.secretSource}`).join("; ")})`,
    )
    .option("--url <baseUrl>", "the runtime's base URL (default: the running `npm start`)")
    .option("--json", "print JSON")
    .action(async (provider: string, opts: { tenant?: string; url?: string; json?: boolean }) => {
      const { emitWebhook } = await import("../sandbox/emit-webhook.ts");
      const { createPlaidSigner } = await import("../sandbox/webhook-signers.ts");
      const env = process.env;
      const baseUrl = runtimeUrl(opts.url);
      let secret = provider === "stripe" ? env.STRIPE_WEBHOOK_SECRET : undefined;
      if (PER_TENANT.some((p) => p.id === provider) && opts.tenant) {
        const { getKeyRing } = await import("../../src/crypto/load-key-ring.ts");
        const { tenantWebhookSecret } = await import("../../src/inbox/tenant-webhook-secret.ts");
        const field = provider === "lob" ? "webhook_secret" : "api_key";
        secret = await withDb(async (h) =>
          tenantWebhookSecret({ db: h.db, keyRing: await getKeyRing() }, opts.tenant!, provider, field),
        );
      }
      const result = await emitWebhook(provider, {
        baseUrl,
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
      if (result.status !== 200) fail();
    });
}
