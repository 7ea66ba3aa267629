import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { integrationConnections } from "../../db/schema.ts";
import { getAccessToken } from "../../src/connections/get-access-token.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { transitionConnection } from "../../src/connections/transition-connection.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;
const setRow = (id: string, values: Partial<typeof integrationConnections.$inferInsert>) =>
  fx.db.db.update(integrationConnections).set(values).where(eq(integrationConnections.id, id));
const google = (refreshToken: string, expiresAt: Date) =>
  seedConnection(fx, { provider: "google_drive", accessToken: "at_old", refreshToken, expiresAt });
const tokenCalls = () => fx.google.requestsTo("POST /token").length;

describe("getAccessToken by connection status", () => {
  for (const status of ["expired", "disconnected"] as const) {
    it(`refuses a ${status} connection without calling the provider: the tenant must reconnect`, async () => {
      const row = await google("rt_x", new Date(Date.now() + 3_600_000));
      await setRow(row.id, { status });
      await expect(getAccessToken(fx.deps, row.tenantId, "google_drive")).rejects.toMatchObject({
        code: "connection_inactive",
        retryable: false,
        reauthRequired: true,
        message: `The google_drive connection is ${status}: the tenant must reconnect`,
        context: { tenantId: row.tenantId, provider: "google_drive", connectionId: row.id },
      });
      expect(tokenCalls()).toBe(0);
    });
  }

  it("refreshes a connection in `error` whose token is stale, and hands out the new token", async () => {
    fx.google.seedToken("rt_err");
    const row = await google("rt_err", new Date(Date.now() + 60_000));
    await setRow(row.id, { status: "error", refreshFailures: 4 });
    const token = await getAccessToken(fx.deps, row.tenantId, "google_drive");
    expect(token).toBe(fx.google.accessTokens.at(-1));
    expect(tokenCalls()).toBe(1);
    expect((await rowOf(row.id)).status).toBe("active");
  });

  it("hands out a token valid for more than two minutes as it is, and refreshes one expiring within two", async () => {
    fx.google.seedToken("rt_margin");
    const row = await google("rt_margin", new Date(Date.now() + 2 * 60_000 + 5_000));
    expect(await getAccessToken(fx.deps, row.tenantId, "google_drive")).toBe("at_old");
    expect(tokenCalls()).toBe(0);
    await setRow(row.id, { tokenExpiresAt: new Date(Date.now() + 2 * 60_000 - 5_000) });
    expect(await getAccessToken(fx.deps, row.tenantId, "google_drive")).not.toBe("at_old");
    expect(tokenCalls()).toBe(1);
  });

  it("answers at once, not after the wait for other refreshers, when the refresh finds the grant dead", async () => {
    const row = await google("rt_dead_now", new Date(Date.now() + 30_000));
    const started = Date.now();
    await expect(getAccessToken(fx.deps, row.tenantId, "google_drive")).rejects.toMatchObject({
      code: "connection_inactive",
      reauthRequired: true,
    });
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(tokenCalls()).toBe(1);
  });

  it("says which tenant and provider have no connection", async () => {
    const tenantId = crypto.randomUUID();
    await expect(getAccessToken(fx.deps, tenantId, "google_drive")).rejects.toMatchObject({
      code: "not_found",
      message: `Tenant ${tenantId} has no google_drive connection`,
      context: { tenantId, provider: "google_drive" },
    });
  });

  it("says so when an active connection holds no token at all", async () => {
    const row = await google("rt_none", new Date(Date.now() + 3_600_000));
    await setRow(row.id, { credentials: {} });
    await expect(getAccessToken(fx.deps, row.tenantId, "google_drive")).rejects.toMatchObject({
      code: "not_found",
      message: "The google_drive connection holds no token",
    });
  });
});

describe("a single refresh's boundaries", () => {
  it("refreshes a token expiring exactly at dueBefore, and not one expiring a millisecond after", async () => {
    fx.google.seedToken("rt_due");
    const expiresAt = new Date(Date.now() + 10 * 60_000);
    const row = await google("rt_due", expiresAt);
    const later = new Date(expiresAt.getTime() - 1);
    expect(await refreshConnectionToken(fx.deps, row, { dueBefore: later })).toMatchObject({
      outcome: "not_due",
    });
    const refreshed = await refreshConnectionToken(fx.deps, row, { dueBefore: expiresAt });
    expect(refreshed).toMatchObject({ outcome: "refreshed" });
    // The outcome carries the new expiry (Google's simulator answers expires_in 3600).
    const newExpiry = Date.parse((refreshed as { expiresAt: string }).expiresAt);
    expect(Math.abs(newExpiry - (Date.now() + 3_600_000))).toBeLessThan(60_000);
    expect(tokenCalls()).toBe(1);
  });

  it("records the answer's expiry with the pending answer, so a recovery keeps it", async () => {
    fx.google.seedToken("rt_pending");
    const row = await google("rt_pending", new Date(Date.now() + 30_000));
    await expect(
      refreshConnectionToken(fx.deps, row, {
        afterAnswerRecorded: () => {
          throw new Error("killed");
        },
      }),
    ).rejects.toThrow("killed");
    const pending = await rowOf(row.id);
    expect(pending.pendingTokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_500_000);
    await setRow(row.id, { refreshLeaseUntil: new Date(Date.now() - 1000) });
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "recovered" });
    expect((await rowOf(row.id)).tokenExpiresAt).toEqual(pending.pendingTokenExpiresAt);
  });
});

describe("a recorded status change", () => {
  it("stores the reason as the last error when the connection fails, not when it is disconnected", async () => {
    const failing = await google("rt_a", new Date(Date.now() + 3_600_000));
    const leaving = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "b",
      expiresAt: new Date(Date.now() + 3_600_000),
      tenantName: "Other",
    });
    await transitionConnection(fx.db.db, {
      connectionId: failing.id,
      provider: "google_drive",
      from: ["active"],
      to: "error",
      reason: "provider_down: 503",
    });
    await transitionConnection(fx.db.db, {
      connectionId: leaving.id,
      provider: "google_drive",
      from: ["active"],
      to: "disconnected",
      reason: "tenant disconnected",
    });
    const dead = await google("rt_c", new Date(Date.now() + 3_600_000));
    await transitionConnection(fx.db.db, {
      connectionId: dead.id,
      provider: "google_drive",
      from: ["active"],
      to: "expired",
      reason: "invalid_grant: revoked",
    });
    expect(await rowOf(dead.id)).toMatchObject({ status: "expired", lastError: "invalid_grant: revoked" });
    expect(await rowOf(failing.id)).toMatchObject({ status: "error", lastError: "provider_down: 503" });
    expect((await rowOf(failing.id)).lastErrorAt).not.toBeNull();
    expect(await rowOf(leaving.id)).toMatchObject({
      status: "disconnected",
      lastError: null,
      lastErrorAt: null,
    });
  });
});
