import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import { decryptCredentials, encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { getAccessToken } from "../../src/connections/get-access-token.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { transitionConnection } from "../../src/connections/transition-connection.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";
import { waitUntil } from "../helpers/wait-until.ts";

const fx = useConnectionFixture();

const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;
const expireLeases = () =>
  fx.db.db.execute(sql`update integration_connections set refresh_lease_until = now() - interval '1 second'`);
const googleConnection = async (refreshToken: string) => {
  fx.google.seedToken(refreshToken);
  return seedConnection(fx, {
    provider: "google_drive",
    accessToken: "old",
    refreshToken,
    expiresAt: new Date(Date.now() + 30_000),
  });
};

describe("refresh lease fence", () => {
  it("drops an answer that arrives after its lease expired and another worker refreshed", async () => {
    const row = await googleConnection("rt_slow_answer");
    fx.google.fault("POST /token", { latencyMs: 1_500, times: 1 });
    const slow = refreshConnectionToken(fx.deps, row).catch((err: unknown) => err);
    await waitUntil(() => fx.google.requestsTo("POST /token").length === 1);
    // The slow worker's lease runs out while the provider is still answering it.
    await expireLeases();
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "refreshed" });
    const [fast] = fx.google.accessTokens;
    expect(await slow).toMatchObject({
      code: "refresh_fence_lost",
      message: "Refresh lease expired before the answer was recorded",
      retryable: true,
      context: { connectionId: row.id },
    });
    const after = await rowOf(row.id);
    // Nothing of the late answer stays behind for a later run to "recover".
    expect(after.pendingCredentials).toBeNull();
    expect(after.tokenVersion).toBe(row.tokenVersion + 1);
    expect((await decryptCredentials(fx.deps.keyRing, after, after.credentials)).access_token).toBe(fast);
    expect(await getAccessToken(fx.deps, row.tenantId, "google_drive")).toBe(fast);
  });

  it("does not apply an answer twice when its lease expired between recording and applying", async () => {
    fx.slack.seedToken("xoxe-1-apply");
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxb-old",
      refreshToken: "xoxe-1-apply",
      expiresAt: new Date(Date.now() + 30_000),
    });
    let recovered: unknown;
    await expect(
      refreshConnectionToken(fx.deps, row, {
        afterAnswerRecorded: async () => {
          // Stalled here past the lease: another worker claims the row and applies the recorded answer.
          await expireLeases();
          recovered = await refreshConnectionToken(fx.deps, row);
        },
      }),
    ).rejects.toMatchObject({
      code: "refresh_fence_lost",
      message: "Refresh lease expired before the answer was applied",
      retryable: true,
    });
    expect(recovered).toMatchObject({ outcome: "recovered", tokenVersion: row.tokenVersion + 1 });
    const after = await rowOf(row.id);
    expect(after.tokenVersion).toBe(row.tokenVersion + 1);
    expect(after.refreshLeaseOwner).toBeNull();
    expect(fx.slack.requestsTo("POST /api/oauth.v2.access")).toHaveLength(1);
    const plain = await decryptCredentials(fx.deps.keyRing, after, after.credentials);
    expect(fx.slack.validRefreshTokens()).toContain(plain.refresh_token);
  });
});

describe("refresh status machine", () => {
  it("keeps a connection failing for 23 hours active (error only after a day)", async () => {
    const row = await googleConnection("rt_23h");
    await fx.db.db.execute(
      sql`update integration_connections set refresh_failures = 5, failing_since = now() - interval '23 hours'`,
    );
    fx.google.fault("POST /token", { status: 503, times: 1 });
    await expect(refreshConnectionToken(fx.deps, row)).rejects.toMatchObject({ retryable: true });
    expect(await rowOf(row.id)).toMatchObject({ status: "active", refreshFailures: 6 });
    expect(await fx.db.db.select().from(connectionTransitions)).toHaveLength(0);
    expect(fx.alerts()).toHaveLength(0);
  });

  it("keeps a connection that failed only twice active, however long ago the first failure was", async () => {
    const row = await googleConnection("rt_twice_old");
    await fx.db.db.execute(
      sql`update integration_connections set refresh_failures = 1, failing_since = now() - interval '3 days'`,
    );
    fx.google.fault("POST /token", { status: 503, times: 1 });
    await expect(refreshConnectionToken(fx.deps, row)).rejects.toMatchObject({ retryable: true });
    expect(await rowOf(row.id)).toMatchObject({ status: "active", refreshFailures: 2 });
  });

  it("never refreshes an expired connection: no lease, no provider call, the tenant must reconnect", async () => {
    const row = await googleConnection("rt_expired");
    await fx.db.db.execute(sql`update integration_connections set status = 'expired'`);
    expect(await refreshConnectionToken(fx.deps, row)).toEqual({
      outcome: "inactive",
      connectionId: row.id,
    });
    expect(await refreshConnectionToken(fx.deps, row, { force: true })).toMatchObject({
      outcome: "inactive",
    });
    await expect(getAccessToken(fx.deps, row.tenantId, "google_drive")).rejects.toMatchObject({
      code: "connection_inactive",
      reauthRequired: true,
    });
    expect(fx.google.requests).toHaveLength(0);
    expect(await rowOf(row.id)).toMatchObject({
      status: "expired",
      refreshLeaseOwner: null,
      tokenVersion: 0,
    });
  });

  it("changes status only from the expected one (compare-and-set), recording one transition", async () => {
    const row = await googleConnection("rt_cas");
    const move = () =>
      transitionConnection(fx.db.db, {
        connectionId: row.id,
        provider: "google_drive",
        from: ["active"],
        to: "expired",
        reason: "invalid_grant",
      });
    const results = await Promise.all([move(), move(), move()]);
    expect(results.filter(Boolean)).toHaveLength(1);
    expect(
      await transitionConnection(fx.db.db, {
        connectionId: row.id,
        provider: "google_drive",
        from: ["active", "error"],
        to: "error",
        reason: "503",
      }),
    ).toBeUndefined();
    expect((await rowOf(row.id)).status).toBe("expired");
    const transitions = await fx.db.db.select().from(connectionTransitions);
    expect(transitions.map((t) => `${t.fromStatus}->${t.toStatus}`)).toEqual(["active->expired"]);
  });
});

describe("waiting for another process's refresh", () => {
  it("hands a provider's 429 to the caller at once, Retry-After included, instead of waiting", async () => {
    const row = await googleConnection("rt_busy_provider");
    fx.google.fault("POST /token", { status: 429, retryAfter: 30, times: 1 });
    await expect(getAccessToken(fx.deps, row.tenantId, "google_drive")).rejects.toMatchObject({
      code: "rate_limited",
      retryAfterMs: 30_000,
    });
    expect(fx.google.requestsTo("POST /token")).toHaveLength(1);
  });

  it("backs off instead of polling while another process holds the lease, then hands out its token", async () => {
    const row = await googleConnection("rt_waiting");
    await fx.db.db.execute(sql`update integration_connections
      set refresh_lease_owner = 'other-process', refresh_lease_until = now() + interval '60 seconds'`);
    let statements = 0;
    const counted = new Proxy(fx.deps.db, {
      get(target, prop, receiver) {
        if (prop === "execute" || prop === "select") statements++;
        return Reflect.get(target, prop, receiver);
      },
    });
    const waiting = getAccessToken({ ...fx.deps, db: counted }, row.tenantId, "google_drive");
    await new Promise((r) => setTimeout(r, 2_500));
    // The other process finishes: a fresh token, lease released.
    const sealed = await encryptCredentials(fx.deps.keyRing, row, {
      access_token: "from_other",
      refresh_token: "r",
    });
    await fx.db.db.execute(sql`update integration_connections set credentials = ${JSON.stringify(sealed.credentials)}::jsonb,
      token_expires_at = now() + interval '1 hour', token_version = token_version + 1,
      refresh_lease_owner = null, refresh_lease_until = null`);
    expect(await waiting).toBe("from_other");
    expect(fx.google.requests).toHaveLength(0);
    // A 50 ms poll makes ~100 statements in 2.5 s; backing off from 100 ms to 2 s makes a handful.
    expect(statements).toBeLessThan(30);
  });
});
