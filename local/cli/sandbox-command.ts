import type { Command } from "commander";
import type { JWK } from "jose";
import { ValidationError } from "../../src/errors.ts";
import { inboundProviderIds, inboundProviders } from "../../src/ingress/inbound-providers.ts";
import { dataDirOf, readRuntimeRecord } from "../runtime-file.ts";
import { FAULTABLE_PROVIDERS, sandboxAlerts, setSandboxFault } from "../sandbox/sandbox-knobs.ts";
import type { Sandbox } from "../sandbox/start-sandbox.ts";
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

/** The simulators of the running `npm start` (the command is forwarded to it). */
function runningSandbox(): Sandbox {
  const sandbox = cliIo().runtime?.sandbox;
  if (!sandbox) {
    throw new ValidationError(
      "Needs a running `npm start` in sandbox mode on this DATA_DIR (start it in another terminal)",
    );
  }
  return sandbox;
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
  sandbox
    .command("fault")
    .description("break a provider's simulator in the running `npm start` (watch `health` and the alerts)")
    .addArgument(program.createArgument("<provider>", "the provider").choices(FAULTABLE_PROVIDERS))
    .option("--status <code>", "answer this HTTP status (401: a revoked key; 503: an outage; 429)", "503")
    .option("--latency <ms>", "answer this much later (a slow or hanging provider)")
    .option("--times <n>", "only the next n requests (default: until cleared)")
    .option("--route <key>", 'only this route ("GET /v1/addresses"; default every route)')
    .option("--message <text>", "the error text the provider answers with")
    .option("--clear", "mend it: answer normally again")
    .action((provider: string, opts: Record<string, string | true | undefined>) => {
      const sandbox = runningSandbox();
      const number = (name: string) => {
        const value = opts[name] === undefined ? undefined : Number(opts[name]);
        if (value !== undefined && (!Number.isInteger(value) || value < 0))
          throw new ValidationError(`--${name} must be a whole number`);
        return value;
      };
      const fault: Parameters<typeof setSandboxFault>[2] = { clear: opts.clear === true };
      const latency = number("latency");
      const times = number("times");
      // A latency alone slows the answers down; it does not also turn them into a 503.
      const status = latency !== undefined && opts.status === "503" ? undefined : number("status");
      if (status !== undefined) fault.status = status;
      if (typeof opts.message === "string") fault.body = { error: opts.message };
      if (latency !== undefined) fault.latencyMs = latency;
      if (times !== undefined) fault.times = times;
      if (typeof opts.route === "string") fault.route = opts.route;
      setSandboxFault(sandbox, provider, fault);
      cliIo().stdout(
        opts.clear
          ? `${provider}: answering normally\n`
          : `${provider}: faulted; run the health sweep to see it\n`,
      );
    });
  sandbox
    .command("alerts")
    .description("the Slack alerts and notices the running sandbox received")
    .option("--json", "print JSON")
    .action((opts: { json?: boolean }) => {
      const alerts = sandboxAlerts(runningSandbox());
      emit(opts.json, alerts, () =>
        alerts.length === 0
          ? "No alerts yet."
          : alerts.map((a) => `${a.at}  #${a.channel}  ${a.text}`).join("\n"),
      );
    });
}
