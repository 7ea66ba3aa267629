import { sql } from "drizzle-orm";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { startPlaidSimulator } from "../../local/sandbox/plaid-server.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { type StripeApiSimulator, startStripeApiSimulator } from "../../local/sandbox/stripe-api-server.ts";
import { createPlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { buildDeps, type Deps } from "../../src/build-deps.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { rowsOf } from "../../src/db/types.ts";
import { createTriggerJobQueue } from "../../src/jobs.ts";
import { type PayeeInput, upsertPayee } from "../../src/payouts/upsert-payee.ts";
import { createTenant } from "../../src/tenants/create-tenant.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

export interface PayoutsFixture {
  db: TestDb;
  deps: Deps;
  stripe: StripeApiSimulator;
  paypal: PayPalSimulator;
  plaid: Simulator;
  slack: Simulator;
  tenant(name?: string): Promise<string>;
  payee(tenantId: string, input?: Partial<PayeeInput> & { ready?: boolean }): Promise<string>;
  rows<T = Record<string, unknown>>(query: ReturnType<typeof sql>): Promise<T[]>;
  /** Slack messages received (payout notices and alerts). */
  notices(): string[];
  close(): Promise<void>;
}

let seq = 0;

/** A database, Stripe/PayPal/Plaid/Slack simulators on loopback, and deps pointing at them. */
export async function createPayoutsFixture(): Promise<PayoutsFixture> {
  const db = await createTestDb();
  const stripe = await startStripeApiSimulator(["sk_test_payouts"]);
  const paypal = await startPayPalSimulator({ clientId: "pp-client", clientSecret: "pp-secret" });
  const plaid = await startPlaidSimulator(await createPlaidSigner(), {
    clientId: "plaid-client",
    secret: "plaid-secret",
  });
  const slack = await startSimulator({ "POST /hooks/*": () => ({ body: "ok" }) });
  const keyRing = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  const deps = buildDeps({
    db: db.db,
    keyRing,
    jobs: createTriggerJobQueue(),
    env: {
      STRIPE_API_KEY: "sk_test_payouts",
      STRIPE_API_URL: stripe.url,
      PAYPAL_CLIENT_ID: "pp-client",
      PAYPAL_CLIENT_SECRET: "pp-secret",
      PAYPAL_API_URL: paypal.url,
      PLAID_CLIENT_ID: "plaid-client",
      PLAID_SECRET: "plaid-secret",
      PLAID_API_URL: plaid.url,
      ALERTS_SLACK_WEBHOOK_URL: `${slack.url}/hooks/platform`,
    },
  });
  const rows = async <T>(query: ReturnType<typeof sql>) => rowsOf<T>(await db.db.execute(query));
  return {
    db,
    deps,
    stripe,
    paypal,
    plaid,
    slack,
    rows,
    tenant: async (name = "Acme") => (await createTenant(db.db, { name })).id,
    payee: async (tenantId, input = {}) => {
      const n = ++seq;
      const rail = input.rail ?? "stripe_connect";
      const { ready = true, ...rest } = input;
      const { id } = await upsertPayee(deps, tenantId, {
        externalRef: `creator-${n}`,
        name: `Creator ${n}`,
        email: `creator${n}@example.com`,
        country: "US",
        rail,
        currency: "usd",
        ...(rail === "stripe_connect"
          ? { stripeAccountId: `acct_creator${n}` }
          : { paypalReceiver: `creator${n}@example.com` }),
        ...rest,
      });
      if (ready) {
        await db.db.execute(sql`update payees set payouts_enabled = true, bank_verification = 'verified',
          bank_verified_at = now() where id = ${id}`);
      }
      return id;
    },
    notices: () => slack.requests.filter((r) => r.path.startsWith("/hooks/")).map((r) => r.body),
    close: async () => {
      await Promise.all([stripe.close(), paypal.close(), plaid.close(), slack.close()]);
      await db.close();
    },
  };
}
