import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections, oauthStates, tenants } from "../../db/schema.ts";
import { inboundRoutes } from "../../src/capabilities/inbound-routes.ts";
import { connectApiKey } from "../../src/connections/connect-api-key.ts";
import { decryptCredentials } from "../../src/connections/credential-cipher.ts";
import { disconnectConnection } from "../../src/connections/disconnect-connection.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { signState } from "../../src/crypto/signed-state.ts";
import { resolveStripeTenant } from "../../src/inbox/resolve-stripe-tenant.ts";
import { setIngressDeps } from "../../src/ingress/ingress-deps.ts";
import { routeRequest } from "../../webhooks/router.ts";
import {
  type ConnectionFixture,
  createConnectionFixture,
  seedConnection,
} from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
let tenantId: string;

beforeAll(async () => {
  fx = await createConnectionFixture();
  setIngressDeps({ ...fx.deps, oauth: fx.oauth, inboundRoutes, plaidKeys: undefined });
});
afterAll(async () => {
  setIngressDeps(undefined);
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  fx.google.requests.length = 0;
  fx.resend.requests.length = 0;
  const [tenant] = await fx.db.db.insert(tenants).values({ name: "Acme" }).returning();
  tenantId = tenant!.id;
});

/** Plays the user's browser: consent at the provider, then follow the redirect to our callback. */
async function consent(url: string) {
  const authorize = new URL(url);
  const code = fx.google.issueCode({
    redirectUri: authorize.searchParams.get("redirect_uri")!,
    codeChallenge: authorize.searchParams.get("code_challenge")!,
  });
  const callback = new URL(authorize.searchParams.get("redirect_uri")!);
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", authorize.searchParams.get("state")!);
  return callback;
}
const call = async (url: URL) => (await routeRequest(new Request(url)))!;
const connections = () => fx.db.db.select().from(integrationConnections);

describe("OAuth connect", () => {
  it("builds an authorization URL with a signed state and a PKCE S256 challenge", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const authorize = new URL(url);
    expect(`${authorize.origin}${authorize.pathname}`).toBe(fx.google.authorizeUrl);
    expect(authorize.searchParams.get("code_challenge_method")).toBe("S256");
    expect(authorize.searchParams.get("code_challenge")).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(authorize.searchParams.get("redirect_uri")).toBe(
      "http://switchboard.test/oauth/callback/google_drive",
    );
    expect(authorize.searchParams.get("access_type")).toBe("offline");
    expect(authorize.searchParams.get("state")?.split(".")).toHaveLength(2);
    const [state] = await fx.db.db.select().from(oauthStates);
    expect(state!.codeVerifier).toMatch(/^sb1\./);
  });

  it("exchanges the code on callback, stores encrypted tokens and redirects to the return URL", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, {
      tenantId,
      provider: "google_drive",
      returnUrl: "http://app.test/settings",
    });
    const response = await call(await consent(url));
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(`${location.origin}${location.pathname}`).toBe("http://app.test/settings");
    expect(location.searchParams.get("connected")).toBe("google_drive");
    const [row] = await connections();
    expect(row).toMatchObject({
      tenantId,
      provider: "google_drive",
      status: "active",
      scopes: ["read", "write"],
    });
    expect(JSON.stringify(row!.credentials)).not.toContain(fx.google.accessTokens.at(-1)!);
    const plain = await decryptCredentials(fx.deps.keyRing, row!, row!.credentials);
    expect(plain.access_token).toBe(fx.google.accessTokens.at(-1));
    expect(fx.google.validRefreshTokens()).toContain(plain.refresh_token);
    const form = new URLSearchParams(fx.google.requestsTo("POST /token")[0]!.body);
    expect(form.get("code_verifier")).toBeTruthy();
  });

  it("rejects a reused state with a clear 400 and stores nothing more", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const callback = await consent(url);
    expect((await call(callback)).status).toBe(302);
    const replay = await call(callback);
    expect(replay.status).toBe(400);
    expect(await replay.json()).toMatchObject({
      error: expect.stringMatching(/already used or has expired/),
    });
    expect(fx.google.requestsTo("POST /token")).toHaveLength(1);
    expect(await connections()).toHaveLength(1);
  });

  it("sends a user who declined back to the return URL with the reason, storing nothing", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const callback = await consent(url);
    callback.searchParams.delete("code");
    callback.searchParams.set("error", "access_denied");
    const response = await call(callback);
    expect(response.status).toBe(302);
    const location = new URL(response.headers.get("location")!);
    expect(location.origin).toBe("http://app.test");
    expect(location.searchParams.get("error")).toBe("access_denied");
    expect(await connections()).toHaveLength(0);
    expect(fx.google.requestsTo("POST /token")).toHaveLength(0);
  });

  it("rejects a forged state before calling the provider", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const callback = await consent(url);
    const [body, mac] = callback.searchParams.get("state")!.split(".");
    const forgedPayload = Buffer.from(
      JSON.stringify({
        ...JSON.parse(Buffer.from(body!, "base64url").toString()),
        tenantId: crypto.randomUUID(),
      }),
    ).toString("base64url");
    callback.searchParams.set("state", `${forgedPayload}.${mac}`);
    const response = await call(callback);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: "OAuth state signature is invalid" });
    const wrongKey = await signState("another-secret-of-sufficient-length!!", {
      tenantId,
      provider: "google_drive",
      nonce: "n",
      expiresAt: Math.floor(Date.now() / 1000) + 60,
    });
    callback.searchParams.set("state", wrongKey);
    expect((await call(callback)).status).toBe(400);
    expect(fx.google.requestsTo("POST /token")).toHaveLength(0);
    expect(await connections()).toHaveLength(0);
  });

  it("rejects an expired state", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const callback = await consent(url);
    const [state] = await fx.db.db.select().from(oauthStates);
    const expired = await signState(fx.oauth.stateSecret, {
      tenantId,
      provider: "google_drive",
      nonce: state!.nonce,
      expiresAt: Math.floor(Date.now() / 1000) - 1,
    });
    callback.searchParams.set("state", expired);
    const response = await call(callback);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/expired/) });
    expect(await connections()).toHaveLength(0);
  });

  it("maps a Stripe Connect account to the tenant on connect, for inbound Connect events", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "stripe_connect" });
    const authorize = new URL(url);
    const code = fx.stripe.issueCode({ redirectUri: authorize.searchParams.get("redirect_uri")! });
    const callback = new URL(authorize.searchParams.get("redirect_uri")!);
    callback.searchParams.set("code", code);
    callback.searchParams.set("state", authorize.searchParams.get("state")!);
    expect((await call(callback)).status).toBe(302);
    expect(await resolveStripeTenant(fx.db.db, "acct_sandbox_1")).toBe(tenantId);
    expect(await resolveStripeTenant(fx.db.db, "acct_other")).toBeNull();
    const [row] = await connections();
    expect(row!.metadata).toMatchObject({ stripe_user_id: "acct_sandbox_1" });
  });

  it("refuses a return URL outside the allowed origins (no open redirect)", async () => {
    await expect(
      startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive", returnUrl: "https://evil.test/x" }),
    ).rejects.toThrow(/not allowed/);
  });

  it("reconnecting an expired connection makes it active and notifies the recovery", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "r",
      expiresAt: new Date(),
    });
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "expired" })
      .where(eq(integrationConnections.id, row.id));
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId: row.tenantId, provider: "google_drive" });
    expect((await call(await consent(url))).status).toBe(302);
    const [after] = await fx.db.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, row.id));
    expect(after!.status).toBe("active");
    const transitions = await fx.db.db.select().from(connectionTransitions);
    expect(transitions.map((t) => `${t.fromStatus}->${t.toStatus}`)).toEqual(["expired->active"]);
  });
});

describe("API-key connect", () => {
  it("validates the key with the provider's probe, then stores it encrypted", async () => {
    const { connectionId } = await connectApiKey(fx.deps, {
      tenantId,
      provider: "resend",
      fields: { api_key: "re_valid_test_key" },
    });
    const [probe] = fx.resend.requestsTo("GET /domains");
    expect(probe!.headers.authorization).toBe("Bearer re_valid_test_key");
    const [row] = await connections();
    expect(row).toMatchObject({ id: connectionId, status: "active", provider: "resend" });
    expect(JSON.stringify(row!.credentials)).not.toContain("re_valid_test_key");
  });

  it("gives a clear error for an invalid key and stores nothing", async () => {
    await expect(
      connectApiKey(fx.deps, { tenantId, provider: "resend", fields: { api_key: "re_wrong" } }),
    ).rejects.toThrow(/Resend rejected the credential \(HTTP 401\); nothing was stored/);
    expect(await connections()).toHaveLength(0);
  });

  it("stores nothing when the provider cannot be reached to check the key", async () => {
    fx.resend.fault("GET /domains", { status: 503, times: 1 });
    await expect(
      connectApiKey(fx.deps, { tenantId, provider: "resend", fields: { api_key: "re_valid_test_key" } }),
    ).rejects.toMatchObject({ code: "unavailable" });
    expect(await connections()).toHaveLength(0);
  });

  it("refuses OAuth providers and platform-only credentials", async () => {
    await expect(
      connectApiKey(fx.deps, { tenantId, provider: "slack", fields: { api_key: "x" } }),
    ).rejects.toThrow(/OAuth/);
    await expect(
      connectApiKey(fx.deps, { tenantId, provider: "mux", fields: { api_key: "x" } }),
    ).rejects.toThrow(/platform/);
  });
});

describe("disconnect", () => {
  it("revokes at the provider, wipes credentials and marks the connection disconnected", async () => {
    fx.google.seedToken("rt_to_revoke");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "rt_to_revoke",
      expiresAt: new Date(),
    });
    const result = await disconnectConnection(fx.deps, row.id);
    expect(result.revocation).toBe("revoked");
    expect(new URLSearchParams(fx.google.requestsTo("POST /revoke")[0]!.body).get("token")).toBe(
      "rt_to_revoke",
    );
    expect(fx.google.validRefreshTokens()).not.toContain("rt_to_revoke");
    const [after] = await connections();
    expect(after).toMatchObject({ status: "disconnected", credentials: {}, keyVersion: null });
  });
});
