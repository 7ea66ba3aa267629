import { beforeEach, describe, expect, it } from "vitest";
import { tenants } from "../../db/schema.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();
let tenantId: string;
beforeEach(async () => {
  const [tenant] = await fx.db.db.insert(tenants).values({ name: "Acme" }).returning();
  tenantId = tenant!.id;
});

const withEnv = (env: Record<string, string>) => ({ ...fx.deps, env: { ...fx.deps.env, ...env } });
const paramsOf = (url: string) => Object.fromEntries(new URL(url).searchParams);

describe("the authorize URL an OAuth connect sends the tenant to", () => {
  it("asks Google for a code with the client id, the callback, space-separated scopes, PKCE and offline access", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive" });
    const params = paramsOf(url);
    expect(params).toMatchObject({
      client_id: fx.deps.env.GOOGLE_DRIVE_CLIENT_ID,
      redirect_uri: "http://switchboard.test/oauth/callback/google_drive",
      response_type: "code",
      scope: "https://www.googleapis.com/auth/drive.file",
      code_challenge_method: "S256",
      access_type: "offline",
      prompt: "consent",
    });
    expect(params.state).toMatch(/\S{40,}/);
    expect(params.code_challenge).toMatch(/^[A-Za-z0-9_-]{43}$/);
  });

  it("joins Shopify's scopes with commas, and sends no PKCE", async () => {
    const deps = withEnv({ SHOPIFY_CLIENT_ID: "shop-client", SHOPIFY_CLIENT_SECRET: "shop-secret" });
    const { url } = await startOAuth(deps, fx.oauth, {
      tenantId,
      provider: "shopify",
      metadata: { shop: "acme.myshopify.com" },
    });
    const params = paramsOf(url);
    expect(params.client_id).toBe("shop-client");
    expect(params.scope).toBe("read_orders,read_customers,read_products");
    expect(params.code_challenge).toBeUndefined();
  });

  it("joins scopes with spaces where the catalog names no separator (Klaviyo)", async () => {
    const deps = withEnv({ KLAVIYO_CLIENT_ID: "kl-client", KLAVIYO_CLIENT_SECRET: "kl-secret" });
    const params = paramsOf((await startOAuth(deps, fx.oauth, { tenantId, provider: "klaviyo" })).url);
    expect(params.scope).toBe("accounts:read profiles:read events:read lists:read");
  });

  it("names the client id as the provider asks (TikTok's app_id) and sends no empty scope", async () => {
    const deps = withEnv({ TIKTOK_ADS_CLIENT_ID: "tt-app", TIKTOK_ADS_CLIENT_SECRET: "tt-secret" });
    const params = paramsOf((await startOAuth(deps, fx.oauth, { tenantId, provider: "tiktok_ads" })).url);
    expect(params.app_id).toBe("tt-app");
    expect(params.client_id).toBeUndefined();
    expect("scope" in params).toBe(false);
    expect(params.response_type).toBe("code");
  });

  it("refuses a provider that connects with an API key, and a missing client id, before storing any state", async () => {
    await expect(startOAuth(fx.deps, fx.oauth, { tenantId, provider: "resend" })).rejects.toMatchObject({
      code: "validation_failed",
      message: expect.stringContaining("does not connect with OAuth"),
    });
    const deps = withEnv({ GOOGLE_DRIVE_CLIENT_ID: "" });
    await expect(startOAuth(deps, fx.oauth, { tenantId, provider: "google_drive" })).rejects.toMatchObject({
      code: "config_invalid",
      message: "GOOGLE_DRIVE_CLIENT_ID is not set",
    });
    const states = await fx.db.db.execute("select count(*)::int as n from oauth_states" as never);
    expect(JSON.stringify(states)).toContain('"n":0');
  });

  it("refuses a return URL that is not a URL", async () => {
    await expect(
      startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive", returnUrl: "not a url" }),
    ).rejects.toMatchObject({ code: "validation_failed", message: 'Invalid return URL "not a url"' });
  });
});
