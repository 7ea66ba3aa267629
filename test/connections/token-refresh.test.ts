import { eq, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import { decryptCredentials } from "../../src/connections/credential-cipher.ts";
import { getAccessToken } from "../../src/connections/get-access-token.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { AppError } from "../../src/errors.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

const soon = () => new Date(Date.now() + 30_000);
const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;
const plainOf = async (id: string) => {
  const row = await rowOf(id);
  return decryptCredentials(fx.deps.keyRing, row, row.credentials);
};

describe("token refresh", () => {
  it("refreshes an expiring token, keeping the refresh token when none is returned", async () => {
    fx.google.seedToken("rt_google_1");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "old",
      refreshToken: "rt_google_1",
      expiresAt: soon(),
    });
    const result = await refreshConnectionToken(fx.deps, row);
    expect(result).toMatchObject({ outcome: "refreshed", tokenVersion: row.tokenVersion + 1 });
    const plain = await plainOf(row.id);
    expect(plain.access_token).toBe(fx.google.accessTokens.at(-1));
    expect(plain.refresh_token).toBe("rt_google_1");
    const after = await rowOf(row.id);
    expect(after.tokenExpiresAt!.getTime()).toBeGreaterThan(Date.now() + 3_000_000);
    expect(after.refreshDueAt!.getTime()).toBeLessThan(after.tokenExpiresAt!.getTime());
    expect(fx.google.requestsTo("POST /token")).toHaveLength(1);
    expect(new URLSearchParams(fx.google.requestsTo("POST /token")[0]!.body).get("grant_type")).toBe(
      "refresh_token",
    );
  });

  it("gives 20 concurrent callers one refresh on a rotating provider, and all of them the new token", async () => {
    fx.slack.seedToken("xoxe-1-first");
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxb-old",
      refreshToken: "xoxe-1-first",
      expiresAt: soon(),
    });
    const tokens = await Promise.all(
      Array.from({ length: 20 }, () => getAccessToken(fx.deps, row.tenantId, "slack")),
    );
    expect(fx.slack.requestsTo("POST /api/oauth.v2.access")).toHaveLength(1);
    const issued = fx.slack.accessTokens.at(-1);
    expect(new Set(tokens)).toEqual(new Set([issued]));
    const plain = await plainOf(row.id);
    expect(plain.refresh_token).not.toBe("xoxe-1-first");
    expect(fx.slack.validRefreshTokens()).toContain(plain.refresh_token);
    expect(fx.slack.validRefreshTokens()).not.toContain("xoxe-1-first");
  });

  it("fences concurrent refreshers of one row (as from several processes): one provider call", async () => {
    fx.slack.seedToken("xoxe-1-fence");
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxb-old",
      refreshToken: "xoxe-1-fence",
      expiresAt: soon(),
    });
    const results = await Promise.all(Array.from({ length: 8 }, () => refreshConnectionToken(fx.deps, row)));
    expect(results.filter((r) => r.outcome === "refreshed")).toHaveLength(1);
    expect(results.every((r) => ["refreshed", "busy", "not_due"].includes(r.outcome))).toBe(true);
    expect(fx.slack.requestsTo("POST /api/oauth.v2.access")).toHaveLength(1);
  });

  it("recovers the new token on the next run after a crash between the provider's answer and the commit", async () => {
    fx.slack.seedToken("xoxe-1-crash");
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxb-old",
      refreshToken: "xoxe-1-crash",
      expiresAt: soon(),
    });
    await expect(
      refreshConnectionToken(fx.deps, row, {
        afterAnswerRecorded: () => {
          throw new Error("process killed");
        },
      }),
    ).rejects.toThrow("process killed");
    // The provider rotated: the old refresh token is dead, the new one exists only in our pending record.
    expect(fx.slack.validRefreshTokens()).not.toContain("xoxe-1-crash");
    expect((await rowOf(row.id)).pendingCredentials).not.toBeNull();
    // The crashed worker's lease runs out.
    await fx.db.db.execute(
      sql`update integration_connections set refresh_lease_until = now() - interval '1 second'`,
    );
    const result = await refreshConnectionToken(fx.deps, row);
    expect(result.outcome).toBe("recovered");
    expect(fx.slack.requestsTo("POST /api/oauth.v2.access")).toHaveLength(1);
    const plain = await plainOf(row.id);
    expect(plain.access_token).toBe(fx.slack.accessTokens.at(-1));
    expect(fx.slack.validRefreshTokens()).toContain(plain.refresh_token);
    expect(await getAccessToken(fx.deps, row.tenantId, "slack")).toBe(fx.slack.accessTokens.at(-1));
  });

  it("marks the connection expired on invalid_grant and notifies exactly once", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "old",
      refreshToken: "rt_revoked",
      expiresAt: soon(),
    });
    const results = await Promise.all([
      refreshConnectionToken(fx.deps, row),
      refreshConnectionToken(fx.deps, row),
    ]);
    await refreshConnectionToken(fx.deps, row).catch(() => undefined);
    expect(results.map((r) => r.outcome)).toContain("expired");
    const after = await rowOf(row.id);
    expect(after.status).toBe("expired");
    expect(after.lastError).toMatch(/invalid_grant/);
    const transitions = await fx.db.db.select().from(connectionTransitions);
    expect(transitions).toHaveLength(1);
    expect(transitions[0]).toMatchObject({ fromStatus: "active", toStatus: "expired" });
    expect(transitions[0]!.notifiedAt).not.toBeNull();
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toMatch(/Google Drive access expired/);
    await expect(getAccessToken(fx.deps, row.tenantId, "google_drive")).rejects.toMatchObject({
      code: "connection_inactive",
    });
  });

  it("surfaces a 429 as a retryable error carrying Retry-After, and counts the failure", async () => {
    fx.google.seedToken("rt_429");
    fx.google.fault("POST /token", { status: 429, retryAfter: 7, times: 1 });
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "old",
      refreshToken: "rt_429",
      expiresAt: soon(),
    });
    const err = await refreshConnectionToken(fx.deps, row).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AppError);
    expect(err).toMatchObject({ code: "rate_limited", retryable: true, retryAfterMs: 7000 });
    const after = await rowOf(row.id);
    expect(after).toMatchObject({ status: "active", refreshFailures: 1 });
    expect(after.refreshLeaseOwner).toBeNull();
    expect((await refreshConnectionToken(fx.deps, row)).outcome).toBe("refreshed");
    expect((await rowOf(row.id)).refreshFailures).toBe(0);
  });

  it("turns a connection failing for over a day into error, once, and back to active on recovery", async () => {
    fx.google.seedToken("rt_flaky");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "old",
      refreshToken: "rt_flaky",
      expiresAt: soon(),
    });
    await fx.db.db.execute(
      sql`update integration_connections set refresh_failures = 2, failing_since = now() - interval '25 hours'`,
    );
    fx.google.fault("POST /token", { status: 503, times: 2 });
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "error" });
    await expect(refreshConnectionToken(fx.deps, row)).rejects.toMatchObject({ retryable: true });
    expect((await rowOf(row.id)).status).toBe("error");
    expect(fx.alerts()).toHaveLength(1);
    expect(await refreshConnectionToken(fx.deps, row)).toMatchObject({ outcome: "refreshed" });
    expect((await rowOf(row.id)).status).toBe("active");
    expect(fx.alerts()).toHaveLength(2);
    expect(fx.alerts()[1]).toMatch(/connected again/);
    const transitions = await fx.db.db.select().from(connectionTransitions);
    expect(transitions.map((t) => [t.fromStatus, t.toStatus, t.reason])).toContainEqual([
      "error",
      "active",
      "token refreshed",
    ]);
  });

  it("renews Meta tokens with the long-lived exchange", async () => {
    fx.meta.seedToken("EAAG_current");
    const row = await seedConnection(fx, {
      provider: "meta_ads",
      accessToken: "EAAG_current",
      expiresAt: soon(),
    });
    expect((await refreshConnectionToken(fx.deps, row)).outcome).toBe("refreshed");
    const [call] = fx.meta.requestsTo("GET /oauth/access_token");
    expect(call!.query.get("grant_type")).toBe("fb_exchange_token");
    expect(call!.query.get("fb_exchange_token")).toBe("EAAG_current");
    expect((await plainOf(row.id)).access_token).toBe(fx.meta.accessTokens.at(-1));
  });

  it("does not refresh again a one-hour token that a previous run just refreshed", async () => {
    fx.google.seedToken("rt_twice");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "old",
      refreshToken: "rt_twice",
      expiresAt: soon(),
    });
    expect((await refreshConnectionToken(fx.deps, row)).outcome).toBe("refreshed");
    expect((await refreshConnectionToken(fx.deps, row)).outcome).toBe("not_due");
    expect(fx.google.requestsTo("POST /token")).toHaveLength(1);
  });

  it("releases the lease and reports the problem when the platform's client credentials are missing", async () => {
    const row = await seedConnection(fx, {
      provider: "klaviyo",
      accessToken: "a",
      refreshToken: "r",
      expiresAt: soon(),
    });
    await expect(refreshConnectionToken(fx.deps, row)).rejects.toThrow(
      /KLAVIYO_CLIENT_ID and KLAVIYO_CLIENT_SECRET/,
    );
    const after = await rowOf(row.id);
    expect(after).toMatchObject({ refreshLeaseOwner: null, refreshFailures: 1, status: "active" });
    expect(after.lastError).toMatch(/KLAVIYO_CLIENT_ID/);
  });

  it("does not call the provider for a token that is not due", async () => {
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "fresh",
      refreshToken: "rt",
      expiresAt: new Date(Date.now() + 6 * 3_600_000),
    });
    expect((await refreshConnectionToken(fx.deps, row)).outcome).toBe("not_due");
    expect(await getAccessToken(fx.deps, row.tenantId, "google_drive")).toBe("fresh");
    expect(fx.google.requests).toHaveLength(0);
  });
});
