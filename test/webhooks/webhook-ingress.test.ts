import { createHash, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants, webhookEvents } from "../../db/schema.ts";
import type { RunView } from "../../local/executor/run-store.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { startPlaidSimulator } from "../../local/sandbox/plaid-server.ts";
import type { Simulator } from "../../local/sandbox/simulator.ts";
import { createPlaidSigner } from "../../local/sandbox/webhook-signers.ts";
import { createRouteTable } from "../../src/capabilities/create-route-table.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { linkExternalAccount } from "../../src/connections/link-external-account.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { inboundProviderIds } from "../../src/ingress/inbound-providers.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";
import { waitUntil } from "../helpers/wait-until.ts";
import { type ProviderCase, providerCases } from "./provider-cases.ts";

let db: TestDb;
let runtime: Runtime;
let plaidSim: Simulator;
let paypal: PayPalSimulator;
let cases: ProviderCase[];
let tenantId: string;
const secrets = {
  stripeSecret: "whsec_test_secret",
  lobSecret: "lob_whsec_test",
  retellKey: "key_retell_test",
};

beforeAll(async () => {
  db = await createTestDb();
  const plaid = await createPlaidSigner();
  plaidSim = await startPlaidSimulator(plaid);
  paypal = await startPayPalSimulator();
  Object.assign(process.env, {
    STRIPE_WEBHOOK_SECRET: secrets.stripeSecret,
    PLAID_CLIENT_ID: "sandbox-plaid-client",
    PLAID_SECRET: "sandbox-plaid-secret",
    PLAID_API_URL: plaidSim.url,
    PAYPAL_CLIENT_ID: "sandbox-paypal-client",
    PAYPAL_CLIENT_SECRET: "sandbox-paypal-secret",
    PAYPAL_WEBHOOK_ID: paypal.webhookId,
    PAYPAL_API_URL: paypal.url,
  });
  cases = await providerCases({ ...secrets, plaid, paypal });
  // Accept each case's event type at the door; no capability handles them, so they end unrouted.
  const inboundRoutes = createRouteTable(
    cases.map((c) => ({ name: `test-${c.provider}`, routes: [{ provider: c.provider, types: [c.type] }] })),
  );
  runtime = await startRuntime({
    db,
    port: 0,
    secretKey: "tr_test",
    sandbox: false,
    cron: false,
    inboundRoutes,
  });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await Promise.all([plaidSim?.close(), paypal?.close()]);
  await db?.close();
});
beforeEach(async () => {
  await db.truncate();
  const [tenant] = await db.db.insert(tenants).values({ name: "Acme" }).returning();
  tenantId = tenant!.id;
  const ring = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  for (const [provider, fields] of [
    ["lob", { api_key: "test_lob_key", webhook_secret: secrets.lobSecret }],
    ["retell", { api_key: secrets.retellKey }],
  ] as const) {
    const sealed = await encryptCredentials(ring, { tenantId, provider }, fields);
    await db.db.insert(integrationConnections).values({ tenantId, provider, ...sealed });
  }
});

const caseOf = (provider: string) => cases.find((c) => c.provider === provider)!;
const url = (c: ProviderCase, tenant = tenantId) =>
  `${runtime.url}/webhooks/${c.provider}${c.perTenant ? `/${tenant}` : ""}`;
const post = (c: ProviderCase, raw: string, headers: Record<string, string>, target = url(c)) =>
  fetch(target, { method: "POST", headers: { "content-type": "application/json", ...headers }, body: raw });
const events = () => db.db.select().from(webhookEvents);
const runsOf = async (provider: string) =>
  (await (
    await fetch(`${runtime.url}/runs?taskId=inbox-process-${provider}-event`, {
      headers: { authorization: "Bearer tr_test" },
    })
  ).json()) as RunView[];

it("covers every inbound provider in the test matrix", () => {
  expect(cases.map((c) => c.provider).sort()).toEqual(inboundProviderIds().sort());
});

describe.each(inboundProviderIds())("%s webhooks", (provider) => {
  it("accepts a correctly signed event: 200, one stored event, one run keyed by the dedupe key", async () => {
    const c = caseOf(provider);
    const raw = c.event(randomUUID());
    const response = await post(c, raw, await c.sign(raw));
    expect(response.status).toBe(200);
    const body = (await response.json()) as { eventId: string; duplicate: boolean };
    expect(body.duplicate).toBe(false);
    const [event] = await events();
    const dedupeKey = c.perTenant ? `${tenantId}:${c.dedupeKey(raw)}` : c.dedupeKey(raw);
    expect(event).toMatchObject({ id: body.eventId, provider, dedupeKey });
    expect(event!.tenantId).toBe(c.perTenant ? tenantId : null);
    const runs = await waitUntil(async () => {
      const all = await runsOf(provider);
      return all.length === 1 && all[0]!.status === "completed" ? all : undefined;
    });
    const key = createHash("sha256").update(`${provider}:${dedupeKey}`).digest("hex");
    expect(runs[0]).toMatchObject({ idempotencyKey: key, payload: { eventId: body.eventId } });
    expect(runs[0]!.output).toMatchObject({ status: "unrouted" });
    const [processed] = await events();
    expect(processed).toMatchObject({
      status: "unrouted",
      error: expect.stringMatching(/No capability handles/),
    });
  });

  it("acknowledges a signed but irrelevant event type without storing or running anything", async () => {
    const c = caseOf(provider);
    const raw = c.irrelevant(randomUUID());
    const response = await post(c, raw, await c.sign(raw));
    expect(response.status).toBe(200);
    expect(await response.json()).toHaveProperty("ignored");
    expect(await events()).toEqual([]);
    expect(await runsOf(provider)).toEqual([]);
  });

  it("acknowledges a signed but malformed body, keeps it as malformed and starts no run", async () => {
    const c = caseOf(provider);
    const raw =
      provider === "paypal" ? JSON.stringify({ event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED" }) : "{not json";
    const response = await post(c, raw, await c.sign(raw));
    expect(response.status).toBe(200);
    const stored = await events();
    expect(stored.map((e) => e.status)).toEqual(["malformed"]);
    expect(await runsOf(provider)).toEqual([]);
  });

  it.each([
    ["a signature from the wrong secret", { wrongSecret: true }, 401],
    ["a stale timestamp", { timing: "stale" as const }, 401],
    ["a timestamp from the future", { timing: "future" as const }, 401],
  ])("rejects %s", async (_label, options, status) => {
    const c = caseOf(provider);
    const raw = c.event(randomUUID());
    const response = await post(c, raw, await c.sign(raw, options));
    expect(response.status).toBe(status);
    expect(await events()).toEqual([]);
  });

  it("rejects a missing or truncated signature header, and a body altered after signing", async () => {
    const c = caseOf(provider);
    const raw = c.event(randomUUID());
    const headers = await c.sign(raw);
    const { [c.signatureHeader]: signature, ...without } = headers;
    expect((await post(c, raw, without)).status).toBe(400);
    const truncated = await post(c, raw, { ...headers, [c.signatureHeader]: signature!.slice(0, 20) });
    expect([400, 401]).toContain(truncated.status);
    const altered = raw.replace(/"(evt_|item_|call_|WH-)/, '"$1x');
    expect((await post(c, altered, headers)).status).toBe(401);
    expect(await events()).toEqual([]);
    expect(await runsOf(provider)).toEqual([]);
  });

  it("refuses a body over 1 MiB with 413 and a GET with 405", async () => {
    const c = caseOf(provider);
    const raw = JSON.stringify({ pad: "x".repeat(1024 * 1024 + 10) });
    expect((await post(c, raw, await c.sign(raw))).status).toBe(413);
    expect((await fetch(url(c))).status).toBe(405);
    expect(await events()).toEqual([]);
  });

  it("stores a duplicate delivery once and triggers nothing new, even ten at once", async () => {
    const c = caseOf(provider);
    const raw = c.event(randomUUID());
    const headers = await c.sign(raw);
    const first = await post(c, raw, headers);
    expect(first.status).toBe(200);
    await waitUntil(async () => (await runsOf(provider)).some((r) => r.status === "completed"));
    const again = await post(c, raw, headers);
    expect(await again.json()).toMatchObject({ duplicate: true });
    const burst = c.event(randomUUID());
    const burstHeaders = await c.sign(burst);
    const responses = await Promise.all(Array.from({ length: 10 }, () => post(c, burst, burstHeaders)));
    expect(responses.map((r) => r.status)).toEqual(Array(10).fill(200));
    expect(await events()).toHaveLength(2);
    expect(await runsOf(provider)).toHaveLength(2);
  });
});

describe("webhook configuration and tenancy", () => {
  it("refuses with 500 when the platform secret is missing, never accepting unverified", async () => {
    const c = caseOf("stripe");
    const saved = process.env.STRIPE_WEBHOOK_SECRET;
    delete process.env.STRIPE_WEBHOOK_SECRET;
    try {
      const raw = c.event(randomUUID());
      const response = await post(c, raw, await c.sign(raw));
      expect(response.status).toBe(500);
      expect(await events()).toEqual([]);
    } finally {
      process.env.STRIPE_WEBHOOK_SECRET = saved;
    }
  });

  it("refuses a per-tenant webhook whose connection has no signing secret (500) or whose tenant is unknown (404)", async () => {
    const c = caseOf("lob");
    await db.db.delete(integrationConnections).where(eq(integrationConnections.provider, "lob"));
    const ring = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    const sealed = await encryptCredentials(ring, { tenantId, provider: "lob" }, { api_key: "k" });
    await db.db.insert(integrationConnections).values({ tenantId, provider: "lob", ...sealed });
    const raw = c.event(randomUUID());
    expect((await post(c, raw, await c.sign(raw))).status).toBe(500);
    expect((await post(c, raw, await c.sign(raw), url(c, randomUUID()))).status).toBe(404);
    expect(await events()).toEqual([]);
  });

  it("rejects a webhook signed with another tenant's secret", async () => {
    const c = caseOf("retell");
    const [other] = await db.db.insert(tenants).values({ name: "Other" }).returning();
    const ring = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    const sealed = await encryptCredentials(
      ring,
      { tenantId: other!.id, provider: "retell" },
      { api_key: "key_other" },
    );
    await db.db.insert(integrationConnections).values({ tenantId: other!.id, provider: "retell", ...sealed });
    const raw = c.event(randomUUID());
    const response = await post(c, raw, await c.sign(raw), url(c, other!.id));
    expect(response.status).toBe(401);
  });

  it("resolves a Stripe Connect account to its tenant", async () => {
    const c = caseOf("stripe");
    const [connection] = await db.db
      .insert(integrationConnections)
      .values({ tenantId, provider: "stripe_connect", metadata: { stripe_user_id: "acct_123" } })
      .returning();
    await linkExternalAccount(db.db, {
      provider: "stripe_connect",
      accountId: "acct_123",
      tenantId,
      connectionId: connection!.id,
    });
    const raw = JSON.stringify({
      id: `evt_${randomUUID()}`,
      type: "payout.paid",
      account: "acct_123",
      data: { object: {} },
    });
    expect((await post(c, raw, await c.sign(raw))).status).toBe(200);
    const [event] = await events();
    expect(event!.tenantId).toBe(tenantId);
  });
});
