import { createHash, randomUUID } from "node:crypto";
import { neonConfig } from "@neondatabase/serverless";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { integrationConnections, tenants, webhookEvents } from "../../db/schema.ts";
import { type OAuthSimulator, startOAuthSimulator } from "../../local/sandbox/oauth-server.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { signRetell, signStripe } from "../../local/sandbox/webhook-signers.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { createEdgeIngressDeps, type IngressDeps, setIngressDeps } from "../../src/ingress/ingress-deps.ts";
import { routeRequest } from "../../webhooks/router.ts";
import { startNeonHttpStandIn } from "../helpers/neon-http-standin.ts";
import { createTestDb, type TestDb } from "../helpers/test-db.ts";

// The production path of the web handlers: Neon's HTTP driver (no interactive transactions) and
// the fetch-only trigger client, built from the environment exactly as on an edge runtime.
describe.runIf(Boolean(process.env.TEST_DATABASE_URL))("web handlers on the Neon HTTP driver", () => {
  let db: TestDb;
  let standIn: Awaited<ReturnType<typeof startNeonHttpStandIn>>;
  let trigger: Simulator;
  let google: OAuthSimulator;
  let deps: IngressDeps;

  beforeAll(async () => {
    db = await createTestDb();
    standIn = await startNeonHttpStandIn(db.pool!);
    neonConfig.fetchEndpoint = () => standIn.url;
    trigger = await startSimulator({
      "POST /api/v1/tasks/*": () => ({ body: { id: `run_${randomUUID()}` } }),
    });
    google = await startOAuthSimulator({ clientId: "c", clientSecret: "s" });
    deps = await createEdgeIngressDeps({
      DATABASE_URL: db.url,
      ENCRYPTION_KEYS: process.env.ENCRYPTION_KEYS,
      TRIGGER_SECRET_KEY: "tr_edge",
      TRIGGER_API_URL: trigger.url,
      OAUTH_STATE_SECRET: "edge-state-secret-0123456789abcdef!!",
      PUBLIC_BASE_URL: "http://edge.test",
      STRIPE_WEBHOOK_SECRET: "whsec_edge",
      GOOGLE_DRIVE_CLIENT_ID: "c",
      GOOGLE_DRIVE_CLIENT_SECRET: "s",
      GOOGLE_DRIVE_AUTH_URL: google.authorizeUrl,
      GOOGLE_DRIVE_TOKEN_URL: google.tokenUrl,
    });
    setIngressDeps(deps);
  });
  afterAll(async () => {
    setIngressDeps(undefined);
    await Promise.all([standIn?.close(), trigger?.close(), google?.close()]);
    await db?.close();
  });

  it("stores a Stripe event and triggers its processing with the hashed global idempotency key", async () => {
    const raw = JSON.stringify({
      id: `evt_${randomUUID()}`,
      type: "account.application.deauthorized",
      data: { object: {} },
    });
    const request = new Request("http://edge.test/webhooks/stripe", {
      method: "POST",
      headers: { "stripe-signature": signStripe(raw, "whsec_edge") },
      body: raw,
    });
    const response = (await routeRequest(request))!;
    expect(response.status).toBe(200);
    const [event] = await db.db.select().from(webhookEvents);
    expect(event).toMatchObject({ provider: "stripe", status: "received" });
    const [call] = trigger.requestsTo("POST /api/v1/tasks/*");
    expect(call!.path).toBe("/api/v1/tasks/inbox-process-stripe-event/trigger");
    expect(call!.headers.authorization).toBe("Bearer tr_edge");
    const body = JSON.parse(call!.body) as { payload: string; options: Record<string, unknown> };
    expect(JSON.parse(body.payload)).toEqual({ eventId: event!.id });
    const key = createHash("sha256")
      .update(`stripe:${JSON.parse(raw).id}`)
      .digest("hex");
    expect(body.options).toMatchObject({
      idempotencyKey: key,
      concurrencyKey: "platform",
      payloadType: "application/json",
    });
    expect(standIn.queries.length).toBeGreaterThan(0);
  });

  it("verifies a Retell webhook with the tenant's key read through the HTTP driver", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "Edge" }).returning();
    const ring = await parseKeyRing(process.env.ENCRYPTION_KEYS!);
    const sealed = await encryptCredentials(
      ring,
      { tenantId: tenant!.id, provider: "retell" },
      { api_key: "key_edge" },
    );
    await db.db
      .insert(integrationConnections)
      .values({ tenantId: tenant!.id, provider: "retell", ...sealed });
    const raw = JSON.stringify({ event: "call_ended", call: { call_id: `call_${randomUUID()}` } });
    const post = (signature: string) =>
      routeRequest(
        new Request(`http://edge.test/webhooks/retell/${tenant!.id}`, {
          method: "POST",
          headers: { "x-retell-signature": signature },
          body: raw,
        }),
      );
    expect((await post(signRetell(raw, "key_wrong")))!.status).toBe(401);
    expect((await post(signRetell(raw, "key_edge")))!.status).toBe(200);
  });

  it("completes an OAuth connection through the HTTP driver (single statements only)", async () => {
    const [tenant] = await db.db.insert(tenants).values({ name: "OAuth edge" }).returning();
    const { url } = await startOAuth(deps, deps.oauth!, { tenantId: tenant!.id, provider: "google_drive" });
    const authorize = await fetch(url, { redirect: "manual" });
    const callback = authorize.headers.get("location")!;
    standIn.queries.length = 0;
    const response = (await routeRequest(new Request(callback)))!;
    expect(response.status).toBe(302);
    // The callback's tenant statements ran as app_user (withTenant over HTTP), so RLS applied.
    expect(standIn.queries.filter((q) => q === "set local role app_user").length).toBeGreaterThanOrEqual(2);
    const rows = await db.db.select().from(integrationConnections);
    expect(rows.find((r) => r.tenantId === tenant!.id)).toMatchObject({
      provider: "google_drive",
      status: "active",
    });
    expect((await routeRequest(new Request(callback)))!.status).toBe(400);
  });
});
