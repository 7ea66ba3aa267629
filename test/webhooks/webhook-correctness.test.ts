import { createHmac, randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants, webhookEvents } from "../../db/schema.ts";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { signLob, signPayPal, signStripe } from "../../local/sandbox/webhook-signers.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { createRouteTable } from "../../src/capabilities/create-route-table.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { type KeyRing, parseKeyRing } from "../../src/crypto/key-ring.ts";
import type { Db } from "../../src/db/types.ts";
import { UnavailableError } from "../../src/errors.ts";
import { recordWebhookEvent } from "../../src/inbox/record-webhook-event.ts";
import { type IngressDeps, setIngressDeps } from "../../src/ingress/ingress-deps.ts";
import { MAX_WEBHOOK_BYTES } from "../../src/ingress/read-capped-body.ts";
import type { JobQueue, TriggerJobOptions } from "../../src/jobs.ts";
import { verifyStripeWebhook } from "../../src/providers/stripe-webhook.ts";
import { routeRequest } from "../../webhooks/router.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

const PLATFORM = "whsec_platform";
const CONNECT = "whsec_connect";

let db: TestDb;
let ring: KeyRing;
let paypal: PayPalSimulator;
let triggered: { taskId: string; payload: unknown; options: TriggerJobOptions | undefined }[];
let failTrigger = false;

const jobs: JobQueue = {
  async trigger(taskId, payload, options) {
    if (failTrigger) throw new UnavailableError("trigger API unreachable");
    triggered.push({ taskId, payload, options });
    return { id: `run_${triggered.length}`, isCached: false };
  },
  batchTrigger: async (_id, items) => ({ batchId: "b", runCount: items.length }),
};

function install(overrides: Partial<IngressDeps> = {}) {
  setIngressDeps({
    ...buildDeps({
      db: db.db,
      jobs,
      keyRing: ring,
      env: {
        STRIPE_WEBHOOK_SECRET: `${PLATFORM}, ${CONNECT}`,
        PAYPAL_CLIENT_ID: "sandbox-paypal-client",
        PAYPAL_CLIENT_SECRET: "sandbox-paypal-secret",
        PAYPAL_WEBHOOK_ID: paypal.webhookId,
        PAYPAL_API_URL: paypal.url,
      },
    }),
    oauth: {
      stateSecret: "x".repeat(32),
      publicBaseUrl: "http://t",
      allowedReturnOrigins: [],
      defaultReturnUrl: "http://t",
    },
    plaidKeys: undefined,
    inboundRoutes: createRouteTable([
      {
        name: "test",
        routes: [
          { provider: "stripe", types: ["payout.paid", "account.application.deauthorized"] },
          { provider: "lob", types: ["letter.mailed"] },
          { provider: "paypal", types: ["PAYMENT.PAYOUTS-ITEM.SUCCEEDED"] },
        ],
      },
    ]),
    ...overrides,
  });
}

beforeAll(async () => {
  db = await createTestDb();
  ring = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
  paypal = await startPayPalSimulator();
});
afterAll(async () => {
  setIngressDeps(undefined);
  await paypal?.close();
  await db?.close();
});
beforeEach(async () => {
  await db.truncate();
  triggered = [];
  failTrigger = false;
  paypal.requests.length = 0;
  install();
});

const stripeEvent = (type = "payout.paid", extra: Record<string, unknown> = {}) =>
  JSON.stringify({ id: `evt_${randomUUID()}`, type, data: { object: {} }, ...extra });
const signBytes = (bytes: Uint8Array, secret: string, t = Math.floor(Date.now() / 1000)) =>
  `t=${t},v1=${createHmac("sha256", secret).update(`${t}.`).update(bytes).digest("hex")}`;
const post = (path: string, body: BodyInit, headers: Record<string, string>) =>
  routeRequest(
    new Request(`http://switchboard.test${path}`, {
      method: "POST",
      headers,
      body,
      duplex: "half",
    } as RequestInit),
  ).then((r) => r!);
const stored = () => db.db.select().from(webhookEvents);

describe("Stripe signatures", () => {
  const body = new TextEncoder().encode(stripeEvent());
  // A "now" just before the next whole second: a millisecond-based age would refuse t = now − 300.
  const nowSec = 1_800_000_000;
  const nowMs = nowSec * 1000 + 999;

  it("accepts a timestamp exactly 300 s old and refuses 301 s, as Stripe's SDK counts age", async () => {
    await expect(
      verifyStripeWebhook(body, signBytes(body, PLATFORM, nowSec - 300), [PLATFORM], nowMs),
    ).resolves.toBeUndefined();
    await expect(
      verifyStripeWebhook(body, signBytes(body, PLATFORM, nowSec - 301), [PLATFORM], nowMs),
    ).rejects.toMatchObject({
      reason: "stale_timestamp",
    });
  });

  it("accepts a timestamp 300 s ahead and refuses 301 s ahead", async () => {
    await expect(
      verifyStripeWebhook(body, signBytes(body, PLATFORM, nowSec + 300), [PLATFORM], nowMs),
    ).resolves.toBeUndefined();
    await expect(
      verifyStripeWebhook(body, signBytes(body, PLATFORM, nowSec + 301), [PLATFORM], nowMs),
    ).rejects.toMatchObject({
      reason: "future_timestamp",
    });
  });

  it("accepts any matching v1 among several, and a body signed with the second (Connect) secret", async () => {
    const [, good] = signBytes(body, CONNECT).split(",v1=");
    const t = Math.floor(Date.now() / 1000);
    const header = `t=${t},v1=${"0".repeat(64)},v1=${good}`;
    const raw = new TextDecoder().decode(body);
    expect((await post("/webhooks/stripe", raw, { "stripe-signature": header })).status).toBe(200);
    const onlyWrong = `t=${t},v1=${"0".repeat(64)},v1=${"f".repeat(64)}`;
    expect((await post("/webhooks/stripe", stripeEvent(), { "stripe-signature": onlyWrong })).status).toBe(
      401,
    );
    expect(
      (await post("/webhooks/stripe", stripeEvent(), { "stripe-signature": signStripe(raw, "whsec_other") }))
        .status,
    ).toBe(401);
  });

  it("verifies the bytes received: invalid UTF-8 signed as its U+FFFD text is refused", async () => {
    const bytes = new Uint8Array([
      ...new TextEncoder().encode(stripeEvent().slice(0, -1)),
      0x2c,
      0x22,
      0x78,
      0x22,
      0x3a,
      0x22,
      0xff,
      0x22,
      0x7d,
    ]);
    const asText = new TextDecoder().decode(bytes);
    expect(asText).toContain("\ufffd");
    const response = await post("/webhooks/stripe", bytes, {
      "stripe-signature": signStripe(asText, PLATFORM),
    });
    expect(response.status).toBe(401);
    const signed = await post("/webhooks/stripe", bytes, { "stripe-signature": signBytes(bytes, PLATFORM) });
    expect(signed.status).toBe(200);
    expect(await signed.json()).toMatchObject({ error: "malformed" });
    const [row] = await stored();
    expect(row).toMatchObject({ status: "malformed", payload: null });
    expect(triggered).toEqual([]);
  });

  it("accepts a correctly signed body that starts with a byte-order mark", async () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...new TextEncoder().encode(stripeEvent())]);
    const response = await post("/webhooks/stripe", bytes, {
      "stripe-signature": signBytes(bytes, PLATFORM),
    });
    expect(response.status).toBe(200);
    expect((await stored())[0]).toMatchObject({ status: "received", type: "payout.paid" });
  });
});

describe("the webhook door", () => {
  it("refuses a chunked body over the cap that declares no Content-Length, without storing it", async () => {
    const chunk = new Uint8Array(256 * 1024).fill(0x20);
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent > MAX_WEBHOOK_BYTES + chunk.byteLength) controller.close();
        else {
          sent += chunk.byteLength;
          controller.enqueue(chunk);
        }
      },
    });
    const request = new Request("http://switchboard.test/webhooks/stripe", {
      method: "POST",
      headers: { "stripe-signature": "t=1,v1=00" },
      body: stream,
      duplex: "half",
    } as RequestInit);
    expect(request.headers.get("content-length")).toBeNull();
    expect((await routeRequest(request))!.status).toBe(413);
    expect(sent).toBeLessThanOrEqual(MAX_WEBHOOK_BYTES + 2 * chunk.byteLength);
    expect(await stored()).toEqual([]);
  });

  it("triggers again a duplicate whose first delivery was stored but never enqueued, with the same key", async () => {
    const raw = stripeEvent();
    const id = (JSON.parse(raw) as { id: string }).id;
    await recordWebhookEvent(db.db, {
      provider: "stripe",
      dedupeKey: id,
      tenantId: null,
      type: "payout.paid",
      body: new TextEncoder().encode(raw),
      json: raw,
    });
    const response = await post("/webhooks/stripe", raw, { "stripe-signature": signStripe(raw, PLATFORM) });
    expect(await response.json()).toMatchObject({ duplicate: true });
    expect(triggered).toHaveLength(1);
    expect(triggered[0]!.options?.idempotencyKey).toBe(`stripe:${id}`);
    await db.db.update(webhookEvents).set({ status: "processed" });
    await post("/webhooks/stripe", raw, { "stripe-signature": signStripe(raw, PLATFORM) });
    expect(triggered).toHaveLength(1);
  });

  it("answers 503 when the trigger fails, keeping the event so the provider's retry enqueues it", async () => {
    failTrigger = true;
    const raw = stripeEvent();
    const headers = { "stripe-signature": signStripe(raw, PLATFORM) };
    expect((await post("/webhooks/stripe", raw, headers)).status).toBe(503);
    expect((await stored()).map((e) => e.status)).toEqual(["received"]);
    failTrigger = false;
    expect((await post("/webhooks/stripe", raw, headers)).status).toBe(200);
    expect(triggered).toHaveLength(1);
  });

  it("answers 503, never malformed, when the database fails while resolving the tenant or storing", async () => {
    const broken = new Proxy(db.db, {
      get: (target, prop) =>
        prop === "execute" || prop === "select"
          ? () => {
              throw new Error("connection terminated unexpectedly");
            }
          : Reflect.get(target, prop),
    }) as Db;
    install({ db: broken });
    const connectEvent = stripeEvent("account.application.deauthorized", { account: "acct_1" });
    expect(
      (
        await post("/webhooks/stripe", connectEvent, {
          "stripe-signature": signStripe(connectEvent, PLATFORM),
        })
      ).status,
    ).toBe(503);
    const plain = stripeEvent();
    expect(
      (await post("/webhooks/stripe", plain, { "stripe-signature": signStripe(plain, PLATFORM) })).status,
    ).toBe(503);
    install();
    expect(await stored()).toEqual([]);
  });

  it("stores and acknowledges a signed body jsonb cannot hold (a NUL escape), and enqueues it", async () => {
    const raw = stripeEvent("payout.paid", { note: "nul \u0000 inside" });
    expect(raw).toContain("\\u0000");
    const response = await post("/webhooks/stripe", raw, { "stripe-signature": signStripe(raw, PLATFORM) });
    expect(response.status).toBe(200);
    const [row] = await stored();
    expect(row).toMatchObject({ status: "received", payload: null });
    expect(triggered).toHaveLength(1);
  });

  it.each([
    ["/webhooks/lob/%zz", 400],
    ["/webhooks/lob/%E0%A4%A", 400],
    ["/webhooks/lob/%", 400],
    ["/oauth/callback/%C0%AF", 400],
    ["/webhooks/lob/%00", 400],
    ["/webhooks/lob/", 404],
    ["/webhooks/nope", 404],
  ])("answers %s with a 4xx (%i), never an unhandled error", async (path, status) => {
    expect((await post(path, "{}", {})).status).toBe(status);
  });

  it("refuses a PayPal delivery whose certificate URL is not PayPal's, without asking PayPal", async () => {
    const raw = JSON.stringify({
      id: `WH-${randomUUID()}`,
      event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
      resource: {},
    });
    const headers = signPayPal(raw, paypal.signingKey, paypal.webhookId);
    for (const certUrl of [
      "https://evil.example.com/cert",
      "http://api.paypal.com/cert",
      "https://paypal.com.evil.example/cert",
    ]) {
      const response = await post("/webhooks/paypal", raw, { ...headers, "paypal-cert-url": certUrl });
      expect(response.status).toBe(400);
    }
    expect(paypal.requests).toEqual([]);
    expect((await post("/webhooks/paypal", raw, headers)).status).toBe(200);
  });
});

describe("per-tenant providers", () => {
  async function lobTenant(secret: string) {
    const [tenant] = await db.db.insert(tenants).values({ name: secret }).returning();
    const sealed = await encryptCredentials(
      ring,
      { tenantId: tenant!.id, provider: "lob" },
      { api_key: "k", webhook_secret: secret },
    );
    await db.db.insert(integrationConnections).values({ tenantId: tenant!.id, provider: "lob", ...sealed });
    return tenant!.id;
  }
  const lobEvent = (id: string) => JSON.stringify({ id, event_type: { id: "letter.mailed" }, body: {} });

  it("scopes dedupe keys by tenant: the same Lob event id from two tenants is stored for both", async () => {
    const a = await lobTenant("lob_secret_a");
    const b = await lobTenant("lob_secret_b");
    const raw = lobEvent("evt_shared");
    expect((await post(`/webhooks/lob/${a}`, raw, signLob(raw, "lob_secret_a"))).status).toBe(200);
    expect((await post(`/webhooks/lob/${b}`, raw, signLob(raw, "lob_secret_b"))).status).toBe(200);
    const rows = await stored();
    expect(rows.map((r) => r.dedupeKey).sort()).toEqual([`${a}:evt_shared`, `${b}:evt_shared`].sort());
    expect(triggered).toHaveLength(2);
  });

  it("checks headers before looking up the tenant's secret, and reuses a decrypted secret briefly", async () => {
    const unknownTenant = randomUUID();
    const raw = lobEvent("evt_1");
    expect(
      (
        await post(`/webhooks/lob/${unknownTenant}`, raw, {
          "lob-signature": "zz",
          "lob-signature-timestamp": "1",
        })
      ).status,
    ).toBe(400);
    expect((await post(`/webhooks/lob/${unknownTenant}`, raw, signLob(raw, "x"))).status).toBe(404);
    const tenantId = await lobTenant("lob_old");
    expect((await post(`/webhooks/lob/${tenantId}`, raw, signLob(raw, "lob_old"))).status).toBe(200);
    const resealed = await encryptCredentials(
      ring,
      { tenantId, provider: "lob" },
      { api_key: "k", webhook_secret: "lob_new" },
    );
    await db.db
      .update(integrationConnections)
      .set(resealed)
      .where(eq(integrationConnections.tenantId, tenantId));
    const next = lobEvent("evt_2");
    // Within the cache's minute the decrypted secret is reused (no decryption per request).
    expect((await post(`/webhooks/lob/${tenantId}`, next, signLob(next, "lob_old"))).status).toBe(200);
  });
});
