import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, tenants } from "../../db/schema.ts";
import { type PayPalSimulator, startPayPalSimulator } from "../../local/sandbox/paypal-server.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { createCredentialResolver } from "../../src/connections/credential-resolver.ts";
import { rowsOf } from "../../src/db/types.ts";
import { ProviderError } from "../../src/errors.ts";
import { type ConnectionFixture, createConnectionFixture } from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
let paypal: PayPalSimulator;
/** A second PayPal account: other client credentials, so another cached token. */
let paypal2: PayPalSimulator;
beforeAll(async () => {
  fx = await createConnectionFixture();
  paypal = await startPayPalSimulator();
  paypal2 = await startPayPalSimulator({ clientId: "second-client", clientSecret: "second-secret" });
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
  await paypal2?.close();
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  paypal.requests.length = 0;
  paypal2.requests.length = 0;
});
const secondAccount = () =>
  withEnv({
    PAYPAL_API_URL: paypal2.url,
    PAYPAL_CLIENT_ID: "second-client",
    PAYPAL_CLIENT_SECRET: "second-secret",
  });
const mints = () =>
  paypal.requestsTo("POST /v1/oauth2/token").length + paypal2.requestsTo("POST /v1/oauth2/token").length;

const withEnv = (env: Record<string, string | undefined>) =>
  createCredentialResolver({ ...fx.deps, env: { ...fx.deps.env, ...env } });

describe("platform credentials from the environment", () => {
  it("names every missing variable and the provider, and ignores surrounding spaces", async () => {
    await expect(
      withEnv({ PLAID_CLIENT_ID: "  ", PLAID_SECRET: undefined }).resolve("plaid"),
    ).rejects.toMatchObject({
      code: "config_invalid",
      message: "PLAID_CLIENT_ID and PLAID_SECRET must be set to use Plaid",
      context: { provider: "plaid", variables: ["PLAID_CLIENT_ID", "PLAID_SECRET"] },
    });
    expect(await withEnv({ STRIPE_API_KEY: "  sk_test_spaced \n" }).resolve("stripe")).toMatchObject({
      token: "sk_test_spaced",
      renewable: false,
    });
  });

  it("hands a multi-field platform credential's first field as its token", async () => {
    const plaid = await withEnv({ PLAID_CLIENT_ID: "plaid_client", PLAID_SECRET: "plaid_secret" }).resolve(
      "plaid",
    );
    expect(plaid.token).toBe("plaid_client");
  });

  it("says why a tenant-scoped provider needs a tenant", async () => {
    await expect(createCredentialResolver(fx.deps).resolve("google_drive")).rejects.toMatchObject({
      code: "validation_failed",
      message: "Google Drive needs a tenant: it uses tenants' credentials",
    });
  });
});

describe("a tenant's own API key", () => {
  async function tenantKey(status: "active" | "error" | "expired" = "active") {
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "Own" }).returning();
    const sealed = await encryptCredentials(
      fx.deps.keyRing,
      { tenantId: tenant!.id, provider: "elevenlabs" },
      { api_key: `xi_${status}` },
    );
    const [row] = await fx.db.db
      .insert(integrationConnections)
      .values({ tenantId: tenant!.id, provider: "elevenlabs", status, ...sealed })
      .returning();
    return row!;
  }

  it("is preferred over the platform's while active or in error, and is not renewable", async () => {
    for (const status of ["active", "error"] as const) {
      const row = await tenantKey(status);
      expect(
        await createCredentialResolver(fx.deps).resolve("elevenlabs", { tenantId: row.tenantId }),
      ).toMatchObject({
        source: "tenant",
        token: `xi_${status}`,
        renewable: false,
      });
    }
  });

  it("is left as it is when the provider refuses it: no expiry written, the 401 reaches the caller", async () => {
    const row = await tenantKey();
    let calls = 0;
    await expect(
      createCredentialResolver(fx.deps).withCredential("elevenlabs", { tenantId: row.tenantId }, async () => {
        calls++;
        throw new ProviderError("elevenlabs", "unauthorized", "HTTP 401", { context: { status: 401 } });
      }),
    ).rejects.toMatchObject({ code: "unauthorized" });
    expect(calls).toBe(1);
    // Invalidating it (as a capability may after its own 401) changes nothing either.
    const resolver = createCredentialResolver(fx.deps);
    await resolver.invalidate(await resolver.resolve("elevenlabs", { tenantId: row.tenantId }));
    const [after] = await fx.db.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, row.id));
    expect(after!.tokenExpiresAt).toBeNull();
    expect(after!.updatedAt).toEqual(row.updatedAt);
  });
});

describe("the platform token cache", () => {
  it("mints separately for two sets of credentials asked for at the same instant", async () => {
    const [first, second] = await Promise.all([
      createCredentialResolver(fx.deps).resolve("paypal"),
      secondAccount().resolve("paypal"),
    ]);
    expect(first.token).not.toBe(second.token);
    expect(mints()).toBe(2);
  });

  it("binds a cached token to its credentials: a token moved to another credential's row is not handed out", async () => {
    const first = await createCredentialResolver(fx.deps).resolve("paypal");
    const moved = secondAccount();
    const second = await moved.resolve("paypal");
    // Copy the first credential's sealed token over the second's row.
    await fx.db.db.execute(sql`update platform_tokens t set access_token = f.access_token
      from platform_tokens f where f.credential_hash <> t.credential_hash and f.token_version = ${first.version}`);
    const again = await moved.resolve("paypal");
    expect(again.token).not.toBe(first.token);
    expect(again.token).not.toBe(second.token);
    expect(mints()).toBe(3);
  });
});

describe("a minted platform token without expires_in", () => {
  it("is cached for an hour, then minted again", async () => {
    paypal.fault("POST /v1/oauth2/token", {
      status: 200,
      body: { access_token: "A21.no-expiry", token_type: "Bearer" },
      times: 1,
    });
    const before = Date.now();
    const resolver = withEnv({});
    expect(await resolver.resolve("paypal")).toMatchObject({ token: "A21.no-expiry" });
    const [row] = rowsOf<{ expires_at: string }>(
      await fx.db.db.execute(sql`select expires_at from platform_tokens where provider = 'paypal'`),
    );
    const expiresAt = new Date(row!.expires_at).getTime();
    expect(expiresAt).toBeGreaterThanOrEqual(before + 3_600_000 - 1_000);
    expect(expiresAt).toBeLessThanOrEqual(Date.now() + 3_600_000 + 1_000);
    expect(await resolver.resolve("paypal")).toMatchObject({ token: "A21.no-expiry" });
    expect(mints()).toBe(1);
  });
});
