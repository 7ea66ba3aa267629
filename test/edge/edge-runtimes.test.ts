import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants, webhookEvents } from "../../db/schema.ts";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { startPlaidSimulator } from "../../local/sandbox/plaid-server.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { createPlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { redeliverStrandedEvents } from "../../src/inbox/redeliver-stranded-events.ts";
import { createTriggerHttpJobQueue } from "../../src/ingress/trigger-http-job-queue.ts";
import { type EdgeHost, startEdgeRuntime, startWorkerd } from "../helpers/edge-hosts.ts";
import { startNeonHttpStandIn } from "../helpers/neon-http-standin.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { waitUntil } from "../helpers/wait-until.ts";
import { type ProviderCase, providerCases } from "../webhooks/provider-cases.ts";

// The documented Cloudflare Worker (inside workerd) and Next.js edge route (inside Vercel's
// edge-runtime), bundled as their deploy tools would, run the whole webhook matrix against the
// Neon SQL-over-HTTP stand-in on the local PostgreSQL, the Trigger.dev trigger endpoint and the
// provider simulators. Needs PostgreSQL (the stand-in sits on a Pool): CI's PostgreSQL pass.
const PROVIDERS = ["stripe", "plaid", "lob", "retell", "paypal"] as const;
const secrets = {
  stripeSecret: "whsec_edge_SECRET_1",
  lobSecret: "lob_edge_SECRET_2",
  retellKey: "key_edge_SECRET_3",
};

describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("webhook handlers inside edge runtimes", () => {
  let db: TestDb;
  let standIn: Awaited<ReturnType<typeof startNeonHttpStandIn>>;
  let trigger: Simulator;
  let plaid: Simulator;
  let paypal: PayPalSimulator;
  let cases: ProviderCase[];
  let tenantId: string;
  let env: Record<string, string>;
  /** While set, the trigger endpoint holds every request until it settles. */
  let triggerGate: Promise<void> | undefined;

  beforeAll(async () => {
    db = await createTestDb();
    standIn = await startNeonHttpStandIn(db.pool!);
    trigger = await startSimulator({
      "POST /api/v1/tasks/*": async () => {
        await triggerGate;
        return { body: { id: `run_${randomUUID()}` } };
      },
    });
    const signer = await createPlaidSigner();
    plaid = await startPlaidSimulator(signer, { clientId: "edge-plaid", secret: "plaid_SECRET_4" });
    paypal = await startPayPalSimulator();
    cases = await providerCases({ ...secrets, plaid: signer, paypal });
    const [tenant] = await db.db.insert(tenants).values({ name: "Edge" }).returning();
    tenantId = tenant!.id;
    const ring = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    for (const [provider, fields] of [
      ["lob", { api_key: "test_lob_key", webhook_secret: secrets.lobSecret }],
      ["retell", { api_key: secrets.retellKey }],
    ] as const) {
      const sealed = await encryptCredentials(ring, { tenantId, provider }, fields);
      await db.db.insert(integrationConnections).values({ tenantId, provider, ...sealed });
    }
    // No OAUTH_STATE_SECRET / PUBLIC_BASE_URL: webhooks must not need them.
    env = {
      DATABASE_URL: `postgres://postgres:pg_SECRET_5@127.0.0.1:${standIn.port}/edge`,
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS!,
      TRIGGER_SECRET_KEY: "tr_edge_SECRET_6",
      TRIGGER_API_URL: trigger.url,
      STRIPE_WEBHOOK_SECRET: secrets.stripeSecret,
      PLAID_CLIENT_ID: "edge-plaid",
      PLAID_SECRET: "plaid_SECRET_4",
      PLAID_API_URL: plaid.url,
      PAYPAL_CLIENT_ID: "sandbox-paypal-client",
      PAYPAL_CLIENT_SECRET: "sandbox-paypal-secret",
      PAYPAL_WEBHOOK_ID: paypal.webhookId,
      PAYPAL_API_URL: paypal.url,
      LOG_LEVEL: "debug",
    };
  });
  afterAll(async () => {
    await Promise.all([standIn?.close(), trigger?.close(), plaid?.close(), paypal?.close()]);
    await db?.close();
  });

  const hosts = [
    ["workerd (Cloudflare Worker entry)", () => startWorkerd("test/edge/fixtures/workerd-entry.ts", env)],
    [
      "edge-runtime (Next.js edge route)",
      () => startEdgeRuntime("test/edge/fixtures/edge-runtime-entry.ts", env),
    ],
  ] as const;

  describe.each(hosts)("%s", (_name, start) => {
    let host: EdgeHost;
    beforeAll(async () => {
      host = await start();
    });
    afterAll(async () => host?.close());
    beforeEach(async () => {
      await db.db.delete(webhookEvents);
      trigger.requests.length = 0;
      trigger.clearFaults();
      standIn.setDown(false);
    });

    const caseOf = (provider: string) => cases.find((c) => c.provider === provider)!;
    const path = (c: ProviderCase) => `/webhooks/${c.provider}${c.perTenant ? `/${tenantId}` : ""}`;
    const post = (c: ProviderCase, raw: string, headers: Record<string, string>) =>
      host.fetch(path(c), {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: raw,
      });
    const events = () => db.db.select().from(webhookEvents);
    const triggers = () => trigger.requestsTo("POST /api/v1/tasks/*");

    it("a signed Stripe webhook gets 200 and a forged one 401", async () => {
      const c = caseOf("stripe");
      const raw = c.event(randomUUID());
      expect((await post(c, raw, await c.sign(raw, { wrongSecret: true }))).status).toBe(401);
      expect((await post(c, raw, await c.sign(raw))).status).toBe(200);
    });

    // Events a capability handles: Stripe Connect deauthorization and Plaid Item errors
    // (connections), a PayPal payout item settling (payouts).
    const handled = {
      stripe: (id: string) =>
        JSON.stringify({
          id: `evt_${id}`,
          type: "account.application.deauthorized",
          account: "acct_edge_unknown",
          data: { object: { id: "ca_edge" } },
        }),
      plaid: (id: string) =>
        JSON.stringify({ webhook_type: "ITEM", webhook_code: "ERROR", item_id: `item_${id}` }),
      paypal: (id: string) =>
        JSON.stringify({
          id: `WH-${id}`,
          event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
          resource: { payout_item_id: `PI-${id}`, transaction_status: "SUCCESS" },
        }),
    } as const;
    const keysOf = () =>
      triggers().map(
        (r) => (JSON.parse(r.body) as { options: { idempotencyKey: string } }).options.idempotencyKey,
      );

    it.each(["stripe", "plaid", "paypal"] as const)(
      "%s: stores a handled event once, triggers it, and a redelivery reuses the same idempotency key",
      async (provider) => {
        const c = caseOf(provider);
        const raw = handled[provider](randomUUID());
        for (let i = 0; i < 2; i++) expect((await post(c, raw, await c.sign(raw))).status).toBe(200);
        const stored = await events();
        expect(stored).toHaveLength(1);
        expect(stored[0]!.status).toBe("received");
        // Both deliveries trigger (the event is still `received`), after their answers.
        await waitUntil(() => triggers().length === 2, 15_000, "two deferred triggers");
        expect(new Set(keysOf()).size).toBe(1);
      },
    );

    it("acknowledges a stored event while its trigger is still in flight (waitUntil)", async () => {
      const c = caseOf("stripe");
      const raw = handled.stripe(randomUUID());
      let release!: () => void;
      triggerGate = new Promise((resolve) => (release = resolve));
      try {
        // Were the answer waiting on the held trigger, this would time out instead.
        const response = await Promise.race([
          post(c, raw, await c.sign(raw)),
          new Promise<never>((_, reject) =>
            setTimeout(() => reject(new Error("the answer waited for the trigger")), 2_500),
          ),
        ]);
        expect(response.status).toBe(200);
        expect((await events()).map((e) => e.status)).toEqual(["received"]);
        await waitUntil(() => triggers().length === 1, 15_000, "the deferred trigger to arrive");
      } finally {
        triggerGate = undefined;
        release();
      }
    });

    it("keeps an acknowledged event whose deferred trigger failed for the stranded-event sweep", async () => {
      const c = caseOf("stripe");
      const raw = handled.stripe(randomUUID());
      trigger.fault("POST /api/v1/tasks/*", { status: 500 });
      expect((await post(c, raw, await c.sign(raw))).status).toBe(200);
      // The trigger client's three attempts run to the end after the answer.
      await waitUntil(() => triggers().length === 3, 15_000, "three trigger attempts");
      await waitUntil(
        () => host.lines.some((line) => line.includes("stored webhook not enqueued")),
        5_000,
        "the failure logged",
      );
      trigger.clearFaults();
      const [event] = await events();
      expect(event!.status).toBe("received");
      const handlerKey = keysOf()[0];
      trigger.requests.length = 0;
      const jobs = createTriggerHttpJobQueue({ apiUrl: trigger.url, secretKey: env.TRIGGER_SECRET_KEY! });
      expect(await redeliverStrandedEvents({ db: db.db, jobs }, { olderThanMs: 0 })).toEqual({
        stranded: 1,
        triggered: 1,
      });
      expect(keysOf()).toEqual([handlerKey]);
      expect(JSON.parse((JSON.parse(triggers()[0]!.body) as { payload: string }).payload)).toEqual({
        eventId: event!.id,
      });
    });

    it("answers 503 when the database is down, and stores the redelivery once it is back", async () => {
      const c = caseOf("plaid");
      const raw = handled.plaid(randomUUID());
      standIn.setDown(true);
      expect((await post(c, raw, await c.sign(raw))).status).toBe(503);
      standIn.setDown(false);
      expect(await events()).toEqual([]);
      expect((await post(c, raw, await c.sign(raw))).status).toBe(200);
      expect(await events()).toHaveLength(1);
    });

    it.each(PROVIDERS)(
      "%s: acknowledges a signed event no installed capability handles, storing nothing",
      async (provider) => {
        const c = caseOf(provider);
        const raw = c.event(randomUUID());
        const response = await post(c, raw, await c.sign(raw));
        expect(response.status).toBe(200);
        expect(await response.json()).toHaveProperty("ignored");
        expect(await events()).toEqual([]);
        expect(triggers()).toEqual([]);
      },
    );

    it.each(PROVIDERS)(
      "%s: refuses a bad signature, a stale and a future timestamp with 401",
      async (provider) => {
        const c = caseOf(provider);
        for (const options of [
          { wrongSecret: true },
          { timing: "stale" as const },
          { timing: "future" as const },
        ]) {
          const raw = c.event(randomUUID());
          expect((await post(c, raw, await c.sign(raw, options))).status, JSON.stringify(options)).toBe(401);
        }
        expect(await events()).toEqual([]);
        expect(triggers()).toEqual([]);
      },
    );

    it.each(PROVIDERS)(
      "%s: keeps a signed malformed body as malformed (200) and refuses 1 MiB+ (413)",
      async (provider) => {
        const c = caseOf(provider);
        const malformed =
          provider === "paypal"
            ? JSON.stringify({ event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED" })
            : "{not json";
        expect((await post(c, malformed, await c.sign(malformed))).status).toBe(200);
        expect((await events()).map((e) => e.status)).toEqual(["malformed"]);
        const big = JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) });
        expect((await post(c, big, await c.sign(big))).status).toBe(413);
        expect(triggers()).toEqual([]);
      },
    );

    it("prints JSON lines with every secret redacted, also when code logs them on purpose", async () => {
      expect((await host.fetch("/__log-probe")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 200));
      const logLines = host.lines.filter((line) => line.startsWith("{"));
      const probe = logLines
        .map((l) => JSON.parse(l) as Record<string, unknown>)
        .find((l) => l.probe === true);
      expect(probe).toMatchObject({ level: "warn", apiKey: "[redacted]", credentials: "[redacted]" });
      expect(logLines.some((l) => l.includes('"webhook rejected"'))).toBe(true);
      const secretValues = [
        ...Object.values(secrets),
        "plaid_SECRET_4",
        "pg_SECRET_5",
        "tr_edge_SECRET_6",
        "sandbox-paypal-secret",
        ...env.ENCRYPTION_KEYS!.split(",").map((k) => k.split(":")[1]!),
      ];
      for (const line of host.lines) {
        for (const secret of secretValues) expect(line).not.toContain(secret);
      }
    });
  });

  it("refuses the OAuth callback with a clear 500 when OAuth is not configured, on the same env", async () => {
    const host = await startWorkerd("test/edge/fixtures/workerd-entry.ts", env);
    try {
      const response = await host.fetch("/oauth/callback/slack?code=c&state=s");
      expect(response.status).toBe(500);
      expect(await response.json()).toMatchObject({ code: "config_invalid" });
    } finally {
      await host.close();
    }
  });
});
