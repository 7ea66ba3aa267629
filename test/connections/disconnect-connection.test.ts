import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import type { RecordedRequest } from "../../local/sandbox/simulator.ts";
import { encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { disconnectConnection } from "../../src/connections/disconnect-connection.ts";
import { NotFoundError } from "../../src/errors.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

const CLIENT_ID = "test-client";
const CLIENT_SECRET = "test-client-secret-value";
const FORM = "application/x-www-form-urlencoded";

/** The deps with some provider variables replaced (undefined removes one). */
const withEnv = (env: Record<string, string | undefined>) => ({
  ...fx.deps,
  env: { ...fx.deps.env, ...env },
});

const form = (request: RecordedRequest) => Object.fromEntries(new URLSearchParams(request.body));

async function rowOf(id: string) {
  const [row] = await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id));
  return row!;
}

const transitionsOf = (id: string) =>
  fx.db.db.select().from(connectionTransitions).where(eq(connectionTransitions.connectionId, id));

/** The connection ended disconnected, every secret wiped, with one recorded transition. */
async function expectDisconnected(id: string, revocation: string, from = "active") {
  expect(await rowOf(id)).toMatchObject({
    status: "disconnected",
    credentials: {},
    keyVersion: null,
    tokenExpiresAt: null,
    refreshDueAt: null,
    pendingCredentials: null,
    pendingTokenExpiresAt: null,
    refreshLeaseOwner: null,
    refreshLeaseUntil: null,
  });
  const transitions = await transitionsOf(id);
  expect(transitions).toHaveLength(1);
  expect(transitions[0]).toMatchObject({
    connectionId: id,
    kind: "status",
    fromStatus: from,
    toStatus: "disconnected",
    reason: `disconnected (revocation: ${revocation})`,
  });
}

const google = (tokens: { accessToken: string; refreshToken?: string }) =>
  seedConnection(fx, { provider: "google_drive", expiresAt: new Date(Date.now() + 3_600_000), ...tokens });

const revocationWarnings = (since: number) =>
  fx.logs.slice(since).filter((line) => line.includes("revocation failed; disconnecting anyway"));

describe("revoking the grant in the provider's dialect", () => {
  it("posts the refresh token with the client id and secret in the form (Google), and the grant is gone", async () => {
    fx.google.seedToken("rt_google_live");
    const row = await google({ accessToken: "at_google_live", refreshToken: "rt_google_live" });
    await fx.db.db
      .update(integrationConnections)
      .set({ refreshLeaseOwner: "sweep-1", refreshLeaseUntil: new Date(Date.now() + 60_000) })
      .where(eq(integrationConnections.id, row.id));

    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "revoked",
    });

    const [revoke, ...others] = fx.google.requests;
    expect(others).toEqual([]);
    expect(revoke).toMatchObject({ method: "POST", path: "/revoke" });
    expect(revoke!.headers["content-type"]).toBe(FORM);
    expect(revoke!.headers.authorization).toBeUndefined();
    expect(form(revoke!)).toEqual({
      token: "rt_google_live",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    expect(fx.google.validRefreshTokens()).not.toContain("rt_google_live");
    await expectDisconnected(row.id, "revoked");
  });

  it("posts the access token when the connection holds no refresh token", async () => {
    const row = await google({ accessToken: "at_only_google" });
    expect((await disconnectConnection(fx.deps, row.id)).revocation).toBe("revoked");
    const [revoke] = fx.google.requestsTo("POST /revoke");
    expect(form(revoke!)).toEqual({
      token: "at_only_google",
      client_id: CLIENT_ID,
      client_secret: CLIENT_SECRET,
    });
    await expectDisconnected(row.id, "revoked");
  });

  it("sends the access token as a bearer with an empty form where the provider revokes that way (Slack)", async () => {
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxe.xoxb-live",
      refreshToken: "xoxe-1-refresh",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    fx.slack.seedAccessToken("xoxe.xoxb-live");
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "revoked",
    });
    expect(fx.slack.isValidAccessToken("xoxe.xoxb-live")).toBe(false);
    const revokes = fx.slack.requestsTo("POST /api/auth.revoke");
    expect(revokes).toHaveLength(1);
    expect(revokes[0]!.headers.authorization).toBe("Bearer xoxe.xoxb-live");
    expect(revokes[0]!.headers["content-type"]).toBe(FORM);
    expect(revokes[0]!.body).toBe("");
    await expectDisconnected(row.id, "revoked");
  });

  it("records a revocation Slack refuses in its body (HTTP 200, ok: false) as failed, and disconnects", async () => {
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxe.xoxb-unknown-to-slack",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "failed",
    });
    expect(fx.slack.requestsTo("POST /api/auth.revoke")).toHaveLength(1);
    await expectDisconnected(row.id, "failed");
  });

  it("authenticates the client with HTTP Basic and posts only the token where the provider wants Basic (Klaviyo)", async () => {
    const row = await seedConnection(fx, {
      provider: "klaviyo",
      accessToken: "at_klaviyo",
      refreshToken: "rt_klaviyo",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const deps = withEnv({
      KLAVIYO_REVOKE_URL: fx.google.revokeUrl,
      KLAVIYO_CLIENT_ID: "klaviyo-client",
      KLAVIYO_CLIENT_SECRET: "klaviyo-secret",
    });
    expect((await disconnectConnection(deps, row.id)).revocation).toBe("revoked");
    const [revoke] = fx.google.requestsTo("POST /revoke");
    expect(revoke!.headers.authorization).toBe(`Basic ${btoa("klaviyo-client:klaviyo-secret")}`);
    expect(revoke!.headers["content-type"]).toBe(FORM);
    expect(form(revoke!)).toEqual({ token: "rt_klaviyo" });
    await expectDisconnected(row.id, "revoked");
  });

  it("names the client in the form when a Basic provider has no client secret configured", async () => {
    const row = await seedConnection(fx, {
      provider: "klaviyo",
      accessToken: "at_klaviyo",
      refreshToken: "rt_klaviyo_public",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const deps = withEnv({
      KLAVIYO_REVOKE_URL: fx.google.revokeUrl,
      KLAVIYO_CLIENT_ID: "klaviyo-client",
      KLAVIYO_CLIENT_SECRET: undefined,
    });
    expect((await disconnectConnection(deps, row.id)).revocation).toBe("revoked");
    const [revoke] = fx.google.requestsTo("POST /revoke");
    expect(revoke!.headers.authorization).toBeUndefined();
    expect(form(revoke!)).toEqual({ token: "rt_klaviyo_public", client_id: "klaviyo-client" });
  });

  it("posts only the credentials it has: no secret without one, no client without a client id", async () => {
    const publicClient = await google({ accessToken: "at_a", refreshToken: "rt_public_client" });
    await disconnectConnection(withEnv({ GOOGLE_DRIVE_CLIENT_SECRET: undefined }), publicClient.id);
    const noClient = await seedConnection(fx, {
      provider: "ga4",
      accessToken: "at_b",
      refreshToken: "rt_no_client",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    await disconnectConnection(
      withEnv({ GA4_CLIENT_ID: undefined, GA4_CLIENT_SECRET: undefined }),
      noClient.id,
    );
    expect(fx.google.requestsTo("POST /revoke").map(form)).toEqual([
      { token: "rt_public_client", client_id: CLIENT_ID },
      { token: "rt_no_client" },
    ]);
  });

  it("sends no Basic header, only the token, when a Basic provider has a secret but no client id", async () => {
    const row = await seedConnection(fx, {
      provider: "klaviyo",
      accessToken: "at_klaviyo",
      refreshToken: "rt_klaviyo_anonymous",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const deps = withEnv({
      KLAVIYO_REVOKE_URL: fx.google.revokeUrl,
      KLAVIYO_CLIENT_ID: undefined,
      KLAVIYO_CLIENT_SECRET: "klaviyo-secret",
    });
    expect((await disconnectConnection(deps, row.id)).revocation).toBe("revoked");
    const [revoke] = fx.google.requestsTo("POST /revoke");
    expect(revoke!.headers.authorization).toBeUndefined();
    expect(form(revoke!)).toEqual({ token: "rt_klaviyo_anonymous" });
  });
});

describe("when there is nothing to revoke or revocation fails, the connection is disconnected anyway", () => {
  it("reports unsupported and calls nobody for a provider without a revocation endpoint (Meta)", async () => {
    const row = await seedConnection(fx, {
      provider: "meta_ads",
      accessToken: "EAAG_long_lived",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    // The sandbox points only the endpoints the catalog defines: Meta has no revoke URL there either.
    expect(fx.deps.env.META_ADS_REVOKE_URL).toBeUndefined();
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "unsupported",
    });
    expect(fx.meta.requests).toEqual([]);
    await expectDisconnected(row.id, "unsupported");
  });

  it("reports unsupported for a provider without a revocation endpoint even when it holds no token", async () => {
    const row = await seedConnection(fx, {
      provider: "meta_ads",
      accessToken: "unused",
      expiresAt: new Date(Date.now() + 3_600_000),
    });
    const empty = await encryptCredentials(fx.deps.keyRing, row, {});
    await fx.db.db
      .update(integrationConnections)
      .set({ credentials: empty.credentials })
      .where(eq(integrationConnections.id, row.id));
    expect((await disconnectConnection(fx.deps, row.id)).revocation).toBe("unsupported");
    expect(fx.meta.requests).toEqual([]);
    await expectDisconnected(row.id, "unsupported");
  });

  it("reports nothing_to_revoke without calling the provider when the connection holds no token", async () => {
    const row = await google({ accessToken: "unused" });
    const empty = await encryptCredentials(fx.deps.keyRing, row, {});
    await fx.db.db
      .update(integrationConnections)
      .set({ credentials: empty.credentials })
      .where(eq(integrationConnections.id, row.id));
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "nothing_to_revoke",
    });
    expect(fx.google.requests).toEqual([]);
    await expectDisconnected(row.id, "nothing_to_revoke");
  });

  it("records a refused revocation as failed, without treating it as an error", async () => {
    fx.google.fault("POST /revoke", { status: 400, body: { error: "invalid_token" } });
    const logged = fx.logs.length;
    const row = await google({ accessToken: "at_refused", refreshToken: "rt_refused" });
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "failed",
    });
    expect(fx.google.requestsTo("POST /revoke")).toHaveLength(1);
    expect(revocationWarnings(logged)).toEqual([]);
    await expectDisconnected(row.id, "failed");
  });

  it("records an unreachable provider as failed, warns, and disconnects", async () => {
    fx.google.fault("POST /revoke", { drop: true });
    const logged = fx.logs.length;
    const row = await google({ accessToken: "at_unreachable", refreshToken: "rt_unreachable" });
    expect((await disconnectConnection(fx.deps, row.id)).revocation).toBe("failed");
    expect(fx.google.requestsTo("POST /revoke")).toHaveLength(1);
    expect(revocationWarnings(logged)).toHaveLength(1);
    await expectDisconnected(row.id, "failed");
  });

  it("records undecryptable credentials as failed, warns naming the connection, and calls nobody", async () => {
    const row = await google({ accessToken: "at_x", refreshToken: "rt_x" });
    // Sealed for another provider: the ciphertext does not open as this connection's.
    const foreign = await encryptCredentials(
      fx.deps.keyRing,
      { tenantId: row.tenantId, provider: "slack" },
      { refresh_token: "rt_x" },
    );
    await fx.db.db
      .update(integrationConnections)
      .set({ credentials: foreign.credentials })
      .where(eq(integrationConnections.id, row.id));
    const logged = fx.logs.length;
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "failed",
    });
    expect(fx.google.requests).toEqual([]);
    const [warning, ...more] = revocationWarnings(logged);
    expect(more).toEqual([]);
    expect(JSON.parse(warning!)).toMatchObject({ connectionId: row.id, provider: "google_drive" });
    await expectDisconnected(row.id, "failed");
  });
});

describe("which connections it disconnects", () => {
  it("disconnects an expired or errored connection too, recording the status it left", async () => {
    const expired = await google({ accessToken: "at_e", refreshToken: "rt_e" });
    const errored = await seedConnection(fx, {
      provider: "ga4",
      accessToken: "at_r",
      refreshToken: "rt_r",
      expiresAt: new Date(),
    });
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "expired" })
      .where(eq(integrationConnections.id, expired.id));
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "error" })
      .where(eq(integrationConnections.id, errored.id));
    await disconnectConnection(fx.deps, expired.id);
    await disconnectConnection(fx.deps, errored.id);
    await expectDisconnected(expired.id, "revoked", "expired");
    await expectDisconnected(errored.id, "revoked", "error");
  });

  it("leaves an already disconnected connection untouched: no provider call, no transition, nothing to revoke", async () => {
    const row = await google({ accessToken: "at_twice", refreshToken: "rt_twice" });
    await disconnectConnection(fx.deps, row.id);
    const before = await rowOf(row.id);
    fx.google.requests.length = 0;
    expect(await disconnectConnection(fx.deps, row.id)).toEqual({
      connectionId: row.id,
      revocation: "nothing_to_revoke",
    });
    expect(fx.google.requests).toEqual([]);
    expect(await rowOf(row.id)).toEqual(before);
    expect(await transitionsOf(row.id)).toHaveLength(1);
  });

  it("refuses an unknown connection id with a not-found error and calls nobody", async () => {
    const id = randomUUID();
    const attempt = disconnectConnection(fx.deps, id);
    await expect(attempt).rejects.toBeInstanceOf(NotFoundError);
    await expect(attempt).rejects.toMatchObject({ code: "not_found", message: `No connection ${id}` });
    expect(fx.google.requests).toEqual([]);
  });
});
