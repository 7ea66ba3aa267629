import { randomBytes } from "node:crypto";
import { type ApiKeySimulator, startApiKeySimulator } from "./api-key-server.ts";
import { startElevenLabsSimulator } from "./elevenlabs-server.ts";
import { type FairingSimulator, startFairingSimulator } from "./fairing-server.ts";
import { startLobSimulator } from "./lob-server.ts";
import { oauthProviderEnv } from "./oauth-provider-env.ts";
import { type OAuthSimulator, startOAuthSimulator } from "./oauth-server.ts";
import { type PayPalSimulator, startPayPalSimulator } from "./paypal-server.ts";
import { startPlaidSimulator } from "./plaid-server.ts";
import { startRetellSimulator } from "./retell-server.ts";
import { SANDBOX_TEST_KEYS } from "./sandbox-info.ts";
import type { SimRoute, Simulator } from "./simulator.ts";
import { createStripeApiState, type StripeApiState, stripeApiRoutes } from "./stripe-api-server.ts";
import { startUnsimulatedProviders } from "./unsimulated-providers.ts";
import { createPlaidSigner } from "./webhook-signers.ts";

export interface Sandbox {
  google: OAuthSimulator;
  slack: OAuthSimulator;
  meta: OAuthSimulator;
  resend: ApiKeySimulator;
  stripe: OAuthSimulator;
  /** The Stripe simulator's accounts and transfers (`disabledAccounts`: payouts_enabled false). */
  stripeState: StripeApiState;
  plaid: Simulator;
  paypal: PayPalSimulator;
  lob: Simulator;
  retell: Simulator;
  elevenlabs: Simulator;
  fairing: FairingSimulator;
  /** Environment pointing providers at the simulators (`<ID>_TOKEN_URL`, `<ID>_CLIENT_ID`, …). */
  env: Record<string, string>;
  close(): Promise<void>;
}

const CLIENT = { id: "sandbox-client", secret: "sandbox-secret" };
const GOOGLE_PROVIDERS = ["google_ads", "ga4", "google_drive", "google_calendar"];

export interface SandboxOptions {
  /** The OAuth client every simulator accepts. */
  client?: { id: string; secret: string };
  /** API keys the Resend-like simulator accepts. */
  resendKeys?: string[];
}

/** Starts the provider simulators on loopback ports and returns the environment that points at them. */
export async function startSandbox(options: SandboxOptions = {}): Promise<Sandbox> {
  const client = options.client ?? CLIENT;
  let google: OAuthSimulator | undefined;
  const googleProbe: SimRoute = (request) =>
    google?.isValidAccessToken(request.headers.authorization?.replace(/^Bearer\s+/i, ""))
      ? { body: { ok: true } }
      : { status: 401, body: { error: { code: 401, status: "UNAUTHENTICATED" } } };
  google = await startOAuthSimulator({
    dialect: "standard",
    clientId: client.id,
    clientSecret: client.secret,
    apiRoutes: { "GET /*": googleProbe },
  });
  const slack = await startOAuthSimulator({
    dialect: "slack",
    rotateRefreshTokens: true,
    expiresIn: 43_200,
    clientId: client.id,
    clientSecret: client.secret,
  });
  const meta = await startOAuthSimulator({
    dialect: "meta",
    clientId: client.id,
    clientSecret: client.secret,
  });
  const resend = await startApiKeySimulator(options.resendKeys ? { validKeys: options.resendKeys } : {});
  // Stripe Connect OAuth (Standard accounts): the answer names the connected account; its API
  // (balance, accounts, transfers, payouts) accepts the issued tokens and the sandbox secret key.
  let stripe: OAuthSimulator | undefined;
  const stripeState = createStripeApiState();
  stripe = await startOAuthSimulator({
    clientId: client.id,
    clientSecret: client.secret,
    extraTokenFields: { stripe_user_id: "acct_sandbox_1" },
    apiRoutes: stripeApiRoutes(
      (key) => key === SANDBOX_TEST_KEYS.stripe_connect || Boolean(stripe?.isValidAccessToken(key)),
      stripeState,
    ),
  });
  const lob = await startLobSimulator([SANDBOX_TEST_KEYS.lob!]);
  const retell = await startRetellSimulator([SANDBOX_TEST_KEYS.retell!]);
  const elevenlabs = await startElevenLabsSimulator([SANDBOX_TEST_KEYS.elevenlabs!]);
  // A Fairing store of 500 deterministic responses over the last weeks, for the sandbox test key.
  const fairing = await startFairingSimulator();
  fairing.addStore(SANDBOX_TEST_KEYS.fairing!, { count: 500, spacingMs: 3_600_000 });
  const plaidSigner = await createPlaidSigner();
  const plaid = await startPlaidSimulator(plaidSigner);
  const paypal = await startPayPalSimulator();
  const env: Record<string, string> = {
    ...Object.assign({}, ...GOOGLE_PROVIDERS.map((id) => oauthProviderEnv(id, google!, google!.url, client))),
    ...oauthProviderEnv("slack", slack, `${slack.url}/api`, client),
    ...oauthProviderEnv("meta_ads", meta, meta.url, client),
    ...oauthProviderEnv("stripe_connect", stripe, stripe.url, client),
    LOB_API_URL: lob.url,
    RETELL_API_URL: retell.url,
    ELEVENLABS_API_URL: elevenlabs.url,
    FAIRING_API_URL: fairing.url,
    RESEND_API_URL: resend.url,
    ALERTS_SLACK_WEBHOOK_URL: `${slack.url}/hooks/platform`,
    // Webhook signing: `switchboard sandbox emit <provider>` signs sample events with these.
    STRIPE_WEBHOOK_SECRET: `whsec_sandbox_${randomBytes(12).toString("hex")}`,
    PLAID_CLIENT_ID: "sandbox-plaid-client",
    PLAID_SECRET: "sandbox-plaid-secret",
    PLAID_API_URL: plaid.url,
    SANDBOX_PLAID_SIGNING_JWK: JSON.stringify(plaidSigner.privateJwk),
    PAYPAL_CLIENT_ID: "sandbox-paypal-client",
    PAYPAL_CLIENT_SECRET: "sandbox-paypal-secret",
    PAYPAL_API_URL: paypal.url,
    PAYPAL_WEBHOOK_ID: paypal.webhookId,
    SANDBOX_PAYPAL_SIGNING_KEY: paypal.signingKey,
  };
  // Every other provider's endpoints go to a loopback server that refuses: never a real call.
  const unsimulated = await startUnsimulatedProviders({ ...process.env, ...env } as Record<string, string>);
  for (const [name, value] of Object.entries(unsimulated.env)) env[name] = value;
  return {
    google,
    slack,
    meta,
    resend,
    stripe,
    stripeState,
    plaid,
    paypal,
    lob,
    retell,
    elevenlabs,
    fairing,
    env,
    close: async () => {
      await Promise.all([
        google!.close(),
        slack.close(),
        meta.close(),
        resend.close(),
        stripe!.close(),
        lob.close(),
        retell.close(),
        elevenlabs.close(),
        fairing.close(),
        unsimulated.sim.close(),
        plaid.close(),
        paypal.close(),
      ]);
    },
  };
}
