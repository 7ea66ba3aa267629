import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { signPayPal } from "../../local/sandbox/webhook-signers.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { createCredentialResolver } from "../../src/connections/credential-resolver.ts";
import { parseKeyRing } from "../../src/crypto/key-ring.ts";
import { rowsOf } from "../../src/db/types.ts";
import { ProviderError } from "../../src/errors.ts";
import { verifyPayPalWebhook } from "../../src/providers/paypal-webhook.ts";
import {
  type ConnectionFixture,
  createConnectionFixture,
  seedConnection,
} from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
let paypal: PayPalSimulator;

beforeAll(async () => {
  fx = await createConnectionFixture();
  paypal = await startPayPalSimulator();
  Object.assign(fx.deps.env, {
    PAYPAL_CLIENT_ID: "sandbox-paypal-client",
    PAYPAL_CLIENT_SECRET: "sandbox-paypal-secret",
    PAYPAL_API_URL: paypal.url,
    STRIPE_API_KEY: "sk_test_platform",
    ELEVENLABS_API_KEY: "xi_platform",
  });
});
afterAll(async () => {
  await paypal?.close();
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  paypal.requests.length = 0;
  paypal.issuedTokens.length = 0;
  paypal.expireTokens();
  fx.google.requests.length = 0;
});

const tokenRequests = () => paypal.requestsTo("POST /v1/oauth2/token");

/** Verifies one signed PayPal delivery the way the webhook handler does. */
async function verifyDelivery(resolver = createCredentialResolver(fx.deps)) {
  const raw = JSON.stringify({
    id: `WH-${crypto.randomUUID()}`,
    event_type: "PAYMENT.PAYOUTS-ITEM.SUCCEEDED",
  });
  const h = signPayPal(raw, paypal.signingKey, paypal.webhookId);
  await verifyPayPalWebhook(
    raw,
    {
      transmissionId: h["paypal-transmission-id"],
      transmissionTime: h["paypal-transmission-time"],
      transmissionSig: h["paypal-transmission-sig"],
      certUrl: h["paypal-cert-url"],
      authAlgo: h["paypal-auth-algo"],
    },
    { apiUrl: paypal.url, webhookId: paypal.webhookId },
    { http: fx.deps.http, withToken: (call) => resolver.withCredential("paypal", {}, (c) => call(c.token)) },
  );
}

describe("credential resolver", () => {
  it("mints PayPal's platform token once and shares it, encrypted in the database, with other processes", async () => {
    await verifyDelivery(createCredentialResolver(fx.deps));
    // A second process: its own resolver, nothing in memory, the same database.
    await verifyDelivery(createCredentialResolver(fx.deps));
    await verifyDelivery(createCredentialResolver(fx.deps));
    expect(tokenRequests()).toHaveLength(1);
    expect(paypal.requestsTo("POST /v1/notifications/verify-webhook-signature")).toHaveLength(3);
    const [row] = rowsOf<{ access_token: string; key_version: string; expires_in_s: number }>(
      await fx.db.db.execute(sql`select access_token, key_version,
        extract(epoch from expires_at - now())::float8 as expires_in_s
        from platform_tokens where provider = 'paypal'`),
    );
    expect(row!.access_token).toMatch(/^sb1\.v2\./);
    expect(row!.key_version).toBe("v2");
    // PayPal's expires_in (32,400 s) is kept: the token is reused for nine hours, not one.
    expect(row!.expires_in_s).toBeGreaterThan(32_000);
    expect(row!.expires_in_s).toBeLessThanOrEqual(32_400);
    expect(row!.access_token).not.toContain(paypal.issuedTokens[0]!);
  });

  it("mints through the catalog's token request with the platform's client credentials", async () => {
    const credential = await createCredentialResolver(fx.deps).resolve("paypal");
    expect(credential).toMatchObject({ source: "platform", token: paypal.issuedTokens[0], renewable: true });
    const [request] = tokenRequests();
    expect(request!.headers.authorization).toBe(
      `Basic ${Buffer.from("sandbox-paypal-client:sandbox-paypal-secret").toString("base64")}`,
    );
    expect(new URLSearchParams(request!.body).get("grant_type")).toBe("client_credentials");
  });

  it("forgets the cached token when PayPal answers 401, for every process, and verifies with a new one", async () => {
    await verifyDelivery();
    paypal.expireTokens();
    await verifyDelivery(createCredentialResolver(fx.deps));
    expect(tokenRequests()).toHaveLength(2);
    const verifications = paypal.requestsTo("POST /v1/notifications/verify-webhook-signature");
    expect(verifications.map((r) => r.headers.authorization)).toEqual([
      `Bearer ${paypal.issuedTokens[0]}`,
      `Bearer ${paypal.issuedTokens[0]}`,
      `Bearer ${paypal.issuedTokens[1]}`,
    ]);
    // Another process now reads the new token from the database: no third mint.
    await verifyDelivery(createCredentialResolver(fx.deps));
    expect(tokenRequests()).toHaveLength(2);
  });

  it("never throws away a newer token when a stale 401 arrives late", async () => {
    const resolver = createCredentialResolver(fx.deps);
    const first = await resolver.resolve("paypal");
    await resolver.invalidate(first);
    const second = await resolver.resolve("paypal");
    expect(second.version).toBe(first.version + 1);
    await resolver.invalidate(first);
    expect((await resolver.resolve("paypal")).token).toBe(second.token);
    expect(tokenRequests()).toHaveLength(2);
  });

  it("uses the platform's STRIPE_API_KEY for Stripe and PLAID_* for Plaid, naming a missing variable", async () => {
    const resolver = createCredentialResolver(fx.deps);
    expect(await resolver.resolve("stripe")).toMatchObject({ source: "platform", token: "sk_test_platform" });
    const bare = createCredentialResolver({ ...fx.deps, env: { ...fx.deps.env, STRIPE_API_KEY: undefined } });
    await expect(bare.resolve("stripe")).rejects.toThrow(/STRIPE_API_KEY must be set/);
    // Plaid's platform credential is a pair of fields, read the same way (PLAID_CLIENT_ID, PLAID_SECRET).
    const plaid = createCredentialResolver({
      ...fx.deps,
      env: { ...fx.deps.env, PLAID_CLIENT_ID: "plaid_client", PLAID_SECRET: "plaid_secret" },
    });
    expect((await plaid.resolve("plaid")).fields).toEqual({
      client_id: "plaid_client",
      secret: "plaid_secret",
    });
  });

  it("gives ElevenLabs the tenant's own key when it connected one, else the platform's", async () => {
    const [own, other] = await fx.db.db
      .insert(tenants)
      .values([{ name: "Own" }, { name: "Other" }])
      .returning();
    const sealed = await encryptCredentials(
      fx.deps.keyRing,
      { tenantId: own!.id, provider: "elevenlabs" },
      { api_key: "xi_tenant" },
    );
    await fx.db.db
      .insert(integrationConnections)
      .values({ tenantId: own!.id, provider: "elevenlabs", ...sealed });
    const resolver = createCredentialResolver(fx.deps);
    expect(await resolver.resolve("elevenlabs", { tenantId: own!.id })).toMatchObject({
      source: "tenant",
      token: "xi_tenant",
    });
    expect(await resolver.resolve("elevenlabs", { tenantId: other!.id })).toMatchObject({
      source: "platform",
      token: "xi_platform",
    });
    expect(await resolver.resolve("elevenlabs")).toMatchObject({ source: "platform", token: "xi_platform" });
  });

  it("never hands a token cached for one set of client credentials to another", async () => {
    await createCredentialResolver(fx.deps).resolve("paypal");
    const rotated = createCredentialResolver({
      ...fx.deps,
      env: { ...fx.deps.env, PAYPAL_CLIENT_SECRET: "rotated-secret" },
    });
    await expect(rotated.resolve("paypal")).rejects.toMatchObject({ code: "invalid_client" });
    expect(tokenRequests()).toHaveLength(2);
  });

  it("mints once for concurrent callers in one process", async () => {
    const resolver = createCredentialResolver(fx.deps);
    const tokens = await Promise.all(Array.from({ length: 5 }, () => resolver.resolve("paypal")));
    expect(new Set(tokens.map((t) => t.token)).size).toBe(1);
    expect(tokenRequests()).toHaveLength(1);
  });

  it("mints a new platform token when the cached one is sealed under a key no longer in the ring", async () => {
    const first = await createCredentialResolver(fx.deps).resolve("paypal");
    const rotated = await parseKeyRing(`v9:${Buffer.alloc(32, 9).toString("base64")}`);
    const second = await createCredentialResolver({ ...fx.deps, keyRing: rotated }).resolve("paypal");
    expect(second.token).not.toBe(first.token);
    expect(tokenRequests()).toHaveLength(2);
  });

  it("keeps a tenant on its own expired connection rather than silently using the platform's key", async () => {
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "Lapsed" }).returning();
    const sealed = await encryptCredentials(
      fx.deps.keyRing,
      { tenantId: tenant!.id, provider: "elevenlabs" },
      { api_key: "xi_lapsed" },
    );
    await fx.db.db
      .insert(integrationConnections)
      .values({ tenantId: tenant!.id, provider: "elevenlabs", status: "expired", ...sealed });
    await expect(
      createCredentialResolver(fx.deps).resolve("elevenlabs", { tenantId: tenant!.id }),
    ).rejects.toMatchObject({ code: "connection_inactive" });
  });

  it("refuses a tenant-scoped provider without a tenant", async () => {
    await expect(createCredentialResolver(fx.deps).resolve("google_drive")).rejects.toMatchObject({
      code: "validation_failed",
    });
  });

  it("refreshes a tenant's OAuth token the provider refused with 401 and retries once with the new one", async () => {
    fx.google.seedToken("rt_resolver");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "revoked_early",
      refreshToken: "rt_resolver",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const presented: string[] = [];
    const result = await createCredentialResolver(fx.deps).withCredential(
      "google_drive",
      { tenantId: row.tenantId },
      async (credential) => {
        presented.push(credential.token);
        if (!fx.google.isValidAccessToken(credential.token)) {
          throw new ProviderError("google_drive", "unauthorized", "HTTP 401", { context: { status: 401 } });
        }
        return "listed";
      },
    );
    expect(result).toBe("listed");
    expect(presented).toEqual(["revoked_early", fx.google.accessTokens.at(-1)]);
    expect(fx.google.requestsTo("POST /token")).toHaveLength(1);
  });

  it.each([
    ["an unauthorized code", new ProviderError("google_drive", "unauthorized", "refused")],
    [
      "an HTTP 401 status",
      new ProviderError("google_drive", "provider_rejected", "401", { context: { status: 401 } }),
    ],
  ])("renews a tenant's token after an error with %s", async (_label, refusal) => {
    fx.google.seedToken("rt_either");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "stale",
      refreshToken: "rt_either",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    let calls = 0;
    const result = await createCredentialResolver(fx.deps).withCredential(
      "google_drive",
      { tenantId: row.tenantId },
      async (credential) => {
        calls++;
        if (credential.token === "stale") throw refusal;
        return credential.token;
      },
    );
    expect(calls).toBe(2);
    expect(result).toBe(fx.google.accessTokens.at(-1));
  });

  it("does not renew after errors that are not a 401", async () => {
    let calls = 0;
    await expect(
      createCredentialResolver(fx.deps).withCredential("paypal", {}, async () => {
        calls++;
        throw new ProviderError("paypal", "forbidden", "HTTP 403", { context: { status: 403 } });
      }),
    ).rejects.toMatchObject({ code: "forbidden" });
    expect(calls).toBe(1);
    expect(tokenRequests()).toHaveLength(1);
  });

  it("does not retry a refused static API key: the 401 reaches the caller", async () => {
    let calls = 0;
    await expect(
      createCredentialResolver(fx.deps).withCredential("stripe", {}, async () => {
        calls++;
        throw new ProviderError("stripe", "unauthorized", "HTTP 401", { context: { status: 401 } });
      }),
    ).rejects.toMatchObject({ code: "unauthorized" });
    expect(calls).toBe(1);
  });
});
