import { beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, oauthStates, tenants } from "../../db/schema.ts";
import { completeOAuth } from "../../src/connections/complete-oauth.ts";
import { startOAuth } from "../../src/connections/start-oauth.ts";
import { useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();
let tenantId: string;
beforeEach(async () => {
  const [tenant] = await fx.db.db.insert(tenants).values({ name: "Acme" }).returning();
  tenantId = tenant!.id;
});

/** Starts a Google connect and plays the consent: the state, and a code the simulator will exchange. */
async function consented(returnUrl?: string) {
  const { url } = await startOAuth(fx.deps, fx.oauth, { tenantId, provider: "google_drive", returnUrl });
  const params = new URL(url).searchParams;
  const code = fx.google.issueCode({
    redirectUri: params.get("redirect_uri")!,
    codeChallenge: params.get("code_challenge")!,
  });
  return { state: params.get("state")!, code };
}
const complete = (input: { state?: string; code?: string; error?: string }) =>
  completeOAuth(fx.deps, fx.oauth, {
    provider: "google_drive",
    state: input.state ?? null,
    code: input.code ?? null,
    error: input.error ?? null,
  });

describe("an OAuth callback's input", () => {
  it("refuses a callback without state, storing nothing", async () => {
    await expect(complete({ code: "c" })).rejects.toMatchObject({
      code: "validation_failed",
      message: "The OAuth callback has no state",
    });
    expect(await fx.db.db.select().from(integrationConnections)).toHaveLength(0);
  });

  it("refuses a callback without code, consuming the state and calling no provider", async () => {
    const { state } = await consented();
    await expect(complete({ state })).rejects.toMatchObject({
      code: "validation_failed",
      message: "The OAuth callback has no code",
    });
    const [stored] = await fx.db.db.select().from(oauthStates);
    expect(stored!.usedAt).not.toBeNull();
    expect(fx.google.requestsTo("POST /token")).toHaveLength(0);
    expect(await fx.db.db.select().from(integrationConnections)).toHaveLength(0);
  });

  it("sends a user who declined back to the return URL the connect asked for, with the reason", async () => {
    const { state } = await consented("http://app.test/settings/integrations");
    await expect(complete({ state, error: "access_denied" })).rejects.toMatchObject({
      code: "authorization_denied",
      message: "Authorization was not granted: access_denied",
      context: { returnUrl: "http://app.test/settings/integrations", reason: "access_denied" },
    });
  });

  it("records that the connection came through OAuth, with the scopes the provider granted", async () => {
    const { state, code } = await consented();
    const { connectionId, returnUrl } = await complete({ state, code });
    expect(returnUrl).toBe("http://app.test/integrations");
    const [row] = await fx.db.db.select().from(integrationConnections);
    expect(row!.id).toBe(connectionId);
    expect(row!.metadata).toMatchObject({ connectedVia: "oauth" });
    expect(row!.scopes).toEqual(["read", "write"]);
  });

  it("stores the metadata the connect started with, and the catalog's scopes when the answer names none", async () => {
    const { url } = await startOAuth(fx.deps, fx.oauth, {
      tenantId,
      provider: "google_drive",
      metadata: { team: "growth" },
    });
    const params = new URL(url).searchParams;
    const code = fx.google.issueCode({
      redirectUri: params.get("redirect_uri")!,
      codeChallenge: params.get("code_challenge")!,
    });
    fx.google.fault("POST /token", {
      status: 200,
      body: { access_token: "ya29.no-scope", token_type: "Bearer", expires_in: 3600, refresh_token: "rt-x" },
      times: 1,
    });
    await complete({ state: params.get("state")!, code });
    const [row] = await fx.db.db.select().from(integrationConnections);
    expect(row!.metadata).toMatchObject({ team: "growth", connectedVia: "oauth" });
    expect(row!.scopes).toEqual(["https://www.googleapis.com/auth/drive.file"]);
  });
});
