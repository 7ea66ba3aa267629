import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, oauthStates, tenants } from "../../db/schema.ts";
import { inboundRoutes } from "../../src/capabilities/inbound-routes.ts";
import { createCredentialResolver } from "../../src/connections/credential-resolver.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { setIngressDeps } from "../../src/ingress/ingress-deps.ts";
import { createTriggerJobQueue } from "../../src/jobs.ts";
import { routeRequest } from "../../webhooks/router.ts";
import { type ConnectionFixture, createConnectionFixture } from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
let tenantId: string;

beforeAll(async () => {
  fx = await createConnectionFixture();
  setIngressDeps({
    ...fx.deps,
    credentials: createCredentialResolver(fx.deps),
    jobs: createTriggerJobQueue(),
    oauth: fx.oauth,
    inboundRoutes,
    plaidKeys: undefined,
  });
});
afterAll(async () => {
  setIngressDeps(undefined);
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  fx.google.requests.length = 0;
  const [tenant] = await fx.db.db.insert(tenants).values({ name: "Acme" }).returning();
  tenantId = tenant!.id;
});

/** The callback the provider would redirect to after consent, for `provider`'s callback path. */
async function callbackFor(provider: string, authorizeUrl: string) {
  const authorize = new URL(authorizeUrl);
  const redirectUri = authorize.searchParams.get("redirect_uri")!;
  const code = fx.google.issueCode({ codeChallenge: authorize.searchParams.get("code_challenge")! });
  const callback = new URL(redirectUri.replace(/[^/]+$/, provider));
  callback.searchParams.set("code", code);
  callback.searchParams.set("state", authorize.searchParams.get("state")!);
  return callback;
}
const call = async (url: URL) => (await routeRequest(new Request(url)))!;

describe("OAuth state boundaries", () => {
  it("refuses a state on another provider's callback, without consuming it or calling any provider", async () => {
    // GA4 and Google Drive share Google's token endpoint: accepting the state there would connect GA4.
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const crossed = await callbackFor("ga4", url);
    const response = await call(crossed);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: expect.stringMatching(/another provider/) });
    expect(fx.google.requestsTo("POST /token")).toHaveLength(0);
    expect(await fx.db.db.select().from(integrationConnections)).toHaveLength(0);
    const [state] = await fx.db.db.select().from(oauthStates);
    expect(state!.usedAt).toBeNull();
    // The state still completes the connection it was issued for.
    expect((await call(await callbackFor("google_drive", url))).status).toBe(302);
    const rows = await fx.db.db.select().from(integrationConnections);
    expect(rows.map((r) => r.provider)).toEqual(["google_drive"]);
  });

  it("issues states that live ten minutes, in the signature and in the database alike", async () => {
    const before = Date.now();
    const { url, expiresAt } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const tenMinutes = 10 * 60_000;
    expect(expiresAt.getTime()).toBeGreaterThanOrEqual(before + tenMinutes - 1_000);
    expect(expiresAt.getTime()).toBeLessThanOrEqual(Date.now() + tenMinutes);
    const [state] = await fx.db.db.select().from(oauthStates);
    expect(state!.expiresAt.getTime()).toBe(expiresAt.getTime());
    const payload = JSON.parse(
      Buffer.from(new URL(url).searchParams.get("state")!.split(".")[0]!, "base64url").toString(),
    ) as { expiresAt: number };
    expect(payload.expiresAt).toBe(Math.floor(expiresAt.getTime() / 1000));
  });

  it("refuses a correctly signed state once its stored row has expired", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    await fx.db.db.execute(sql`update oauth_states set expires_at = now() - interval '1 second'`);
    const response = await call(await callbackFor("google_drive", url));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      error: expect.stringMatching(/already used or has expired/),
    });
    expect(fx.google.requestsTo("POST /token")).toHaveLength(0);
  });
});
