import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { tenants } from "../../db/schema.ts";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import { connectApiKey } from "../../src/connections/connect-api-key.ts";
import { getAccessToken } from "../../src/connections/get-access-token.ts";
import { type ConnectionFixture, createConnectionFixture } from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
let yotpo: Simulator;
let issued = 0;

beforeAll(async () => {
  fx = await createConnectionFixture();
  // Yotpo-like: a utoken minted from the app key and secret (client-credentials grant, JSON body).
  yotpo = await startSimulator({
    "POST /oauth/token": (request) => {
      const body = JSON.parse(request.body) as Record<string, string>;
      if (
        body.client_id !== "app_key_1" ||
        body.client_secret !== "secret_1" ||
        body.grant_type !== "client_credentials"
      ) {
        return { status: 401, body: { error: "invalid_client" } };
      }
      return { body: { access_token: `utoken_${++issued}`, token_type: "bearer", expires_in: 3600 } };
    },
  });
  fx.deps.env.YOTPO_API_URL = yotpo.url;
});
afterAll(async () => {
  await yotpo?.close();
  await fx?.close();
});
beforeEach(async () => fx.db.truncate());

describe("client-credentials connections (Yotpo)", () => {
  it("mints a token from the stored app key and secret on first use, then reuses it until it expires", async () => {
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "Shop" }).returning();
    await connectApiKey(fx.deps, {
      tenantId: tenant!.id,
      provider: "yotpo",
      fields: { app_key: "app_key_1", secret_key: "secret_1" },
    });
    const probes = yotpo.requestsTo("POST /oauth/token").length;
    const first = await getAccessToken(fx.deps, tenant!.id, "yotpo");
    const second = await getAccessToken(fx.deps, tenant!.id, "yotpo");
    expect(first).toMatch(/^utoken_\d+$/);
    expect(second).toBe(first);
    expect(yotpo.requestsTo("POST /oauth/token")).toHaveLength(probes + 1);
  });

  it("refuses keys the provider rejects and stores nothing", async () => {
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "Bad" }).returning();
    await expect(
      connectApiKey(fx.deps, {
        tenantId: tenant!.id,
        provider: "yotpo",
        fields: { app_key: "app_key_1", secret_key: "nope" },
      }),
    ).rejects.toThrow(/Yotpo rejected the credential/);
    await expect(getAccessToken(fx.deps, tenant!.id, "yotpo")).rejects.toThrow(/has no yotpo connection/);
  });
});
