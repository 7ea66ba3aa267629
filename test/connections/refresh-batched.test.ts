import { eq, inArray, sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections, tenants } from "../../db/schema.ts";
import { decryptCredentials, encryptCredentials } from "../../src/connections/credential-cipher.ts";
import { interleaveByTenant } from "../../src/connections/interleave-by-tenant.ts";
import { refreshConnectionToken } from "../../src/connections/refresh-connection-token.ts";
import { refreshDueTokensAcrossTenants } from "../../src/connections/refresh-due-tokens-across-tenants.ts";
import { refreshDueAt } from "../../src/connections/refresh-schedule.ts";
import { findProvider } from "../../src/providers/catalog.ts";
import { DEFAULT_PROVIDER_CONCURRENCY } from "../../src/providers/provider-concurrency-limit.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();

const rowsOf = (ids: string[]) =>
  fx.db.db.select().from(integrationConnections).where(inArray(integrationConnections.id, ids));
const plainOf = async (row: typeof integrationConnections.$inferSelect) =>
  decryptCredentials(fx.deps.keyRing, row, row.credentials);
const refreshTokensSent = () =>
  fx.google.requestsTo("POST /token").map((r) => new URLSearchParams(r.body).get("refresh_token")!);

/** `count` tenants, each with a Google Drive connection due now, tokens `rt_<prefix>_<i>`. */
async function seedDue(count: number, prefix: string) {
  const inserted = await fx.db.db
    .insert(tenants)
    .values(Array.from({ length: count }, (_, i) => ({ name: `${prefix}${i}` })))
    .returning();
  const expiresAt = new Date(Date.now() + 10 * 60_000);
  const values = await Promise.all(
    inserted.map(async (tenant, i) => {
      fx.google.seedToken(`rt_${prefix}_${i}`);
      const owner = { tenantId: tenant.id, provider: "google_drive" };
      const sealed = await encryptCredentials(fx.deps.keyRing, owner, {
        access_token: `at_${prefix}_${i}`,
        refresh_token: `rt_${prefix}_${i}`,
      });
      return {
        ...owner,
        ...sealed,
        tokenExpiresAt: expiresAt,
        refreshDueAt: refreshDueAt(findProvider("google_drive")!, expiresAt),
      };
    }),
  );
  return fx.db.db.insert(integrationConnections).values(values).returning();
}

describe("batched token refresh across tenants", () => {
  it("refreshes every due connection once, in set-based statements, keeping the refresh token", async () => {
    const due = await seedDue(120, "batch");
    const later = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "later",
      refreshToken: "rt_later",
      expiresAt: new Date(Date.now() + 5 * 3_600_000),
    });
    const summary = await refreshDueTokensAcrossTenants(fx.deps, { claimSize: 50 });
    expect(summary).toMatchObject({ claimed: 120, refreshed: 120, failed: 0, fenceLost: 0, released: 0 });
    // Claims of 50 rows and write-backs of up to 50 answers: far from one statement per refresh
    // (how full a write-back gets depends on timing, so the bound is loose).
    expect(summary.statements).toBeLessThan(120 / 3);
    expect(refreshTokensSent().sort()).toEqual(due.map((_, i) => `rt_batch_${i}`).sort());
    const after = await rowsOf(due.map((r) => r.id));
    for (const row of after) {
      expect(row.tokenVersion).toBe(1);
      expect(row.refreshLeaseOwner).toBeNull();
      expect(row.refreshDueAt!.getTime()).toBeGreaterThan(Date.now() + 25 * 60_000);
      const plain = await plainOf(row);
      expect(fx.google.isValidAccessToken(plain.access_token)).toBe(true);
      expect(plain.refresh_token).toMatch(/^rt_batch_/);
    }
    expect((await rowsOf([later.id]))[0]!.tokenVersion).toBe(later.tokenVersion);
    expect(await refreshDueTokensAcrossTenants(fx.deps)).toMatchObject({ claimed: 0, refreshed: 0 });
  });

  it("never has more calls in flight to one provider than its cap, across all tenants", async () => {
    await seedDue(150, "cap");
    fx.google.setLatency(40);
    const summary = await refreshDueTokensAcrossTenants(fx.deps);
    expect(summary.refreshed).toBe(150);
    expect(fx.google.requestsTo("POST /token")).toHaveLength(150);
    // The cap is reached (the pipeline keeps the provider busy) and never exceeded.
    expect(fx.google.peakConcurrency()).toBe(DEFAULT_PROVIDER_CONCURRENCY);
  });

  it("applies the cap a provider's environment sets", async () => {
    await seedDue(30, "envcap");
    fx.google.setLatency(30);
    const deps = { ...fx.deps, env: { ...fx.deps.env, GOOGLE_DRIVE_CONCURRENCY_LIMIT: "4" } };
    expect((await refreshDueTokensAcrossTenants(deps)).refreshed).toBe(30);
    expect(fx.google.peakConcurrency()).toBe(4);
  });

  it("lets tenants take turns within a claim, each keeping its own order", () => {
    const rows = ["a1", "a2", "a3", "b1", "c1", "c2"].map((id) => ({ id, tenant_id: id[0]! }));
    expect(interleaveByTenant(rows).map((r) => r.id)).toEqual(["a1", "b1", "c1", "a2", "c2", "a3"]);
  });

  it("after a run interrupted midway, the next run refreshes exactly the connections left, once", async () => {
    const due = await seedDue(20, "crash");
    fx.google.setLatency(20);
    const deps = { ...fx.deps, env: { ...fx.deps.env, GOOGLE_DRIVE_CONCURRENCY_LIMIT: "5" } };
    let written: string[] = [];
    await expect(
      refreshDueTokensAcrossTenants(deps, {
        writeBatchSize: 5,
        lingerMs: 60_000,
        afterWriteBack: (ids) => {
          written = ids;
          throw new Error("process killed");
        },
      }),
    ).rejects.toThrow("process killed");
    expect(written).toHaveLength(5);
    const afterCrash = await rowsOf(due.map((r) => r.id));
    const done = afterCrash.filter((r) => r.tokenVersion === 1);
    expect(done.map((r) => r.id).sort()).toEqual([...written].sort());
    // The rest still carry the crashed run's lease: no other refresher touches them meanwhile.
    const left = afterCrash.filter((r) => r.tokenVersion === 0);
    expect(left).toHaveLength(15);
    for (const row of left) expect(row.refreshLeaseUntil!.getTime()).toBeGreaterThan(Date.now());
    expect(await refreshConnectionToken(fx.deps, left[0]!)).toMatchObject({ outcome: "busy" });
    expect(await refreshDueTokensAcrossTenants(deps)).toMatchObject({ claimed: 0 });

    // The crashed run's leases run out; the next sweep takes exactly the unfinished rows.
    await fx.db.db.execute(
      sql`update integration_connections set refresh_lease_until = now() - interval '1 second'
        where refresh_lease_owner is not null`,
    );
    const sentBefore = refreshTokensSent().length;
    expect(await refreshDueTokensAcrossTenants(deps)).toMatchObject({ claimed: 15, refreshed: 15 });
    const secondRun = refreshTokensSent().slice(sentBefore);
    const doneTokens = new Set(await Promise.all(done.map(async (r) => (await plainOf(r)).refresh_token)));
    expect(secondRun).toHaveLength(15);
    for (const token of secondRun) expect(doneTokens.has(token)).toBe(false);
    for (const row of await rowsOf(due.map((r) => r.id))) {
      expect(row.tokenVersion).toBe(1);
      expect(fx.google.isValidAccessToken((await plainOf(row)).access_token)).toBe(true);
    }
  });

  it("applies an answer an interrupted single refresh recorded, without calling the provider", async () => {
    fx.slack.seedToken("xoxe-1-batch");
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxb-old",
      refreshToken: "xoxe-1-batch",
      expiresAt: new Date(Date.now() + 60_000),
    });
    await expect(
      refreshConnectionToken(fx.deps, row, {
        afterAnswerRecorded: () => {
          throw new Error("process killed");
        },
      }),
    ).rejects.toThrow("process killed");
    await fx.db.db.execute(
      sql`update integration_connections set refresh_lease_until = now() - interval '1 second'`,
    );
    expect(await refreshDueTokensAcrossTenants(fx.deps)).toMatchObject({
      claimed: 1,
      recovered: 1,
      refreshed: 0,
    });
    expect(fx.slack.requestsTo("POST /api/oauth.v2.access")).toHaveLength(1);
    const [after] = await rowsOf([row.id]);
    expect(after!.pendingCredentials).toBeNull();
    const plain = await plainOf(after!);
    expect(plain.access_token).toBe(fx.slack.accessTokens.at(-1));
    expect(fx.slack.validRefreshTokens()).toContain(plain.refresh_token);
  });

  it("writes a rotated refresh token and leaves a row another refresher took over untouched", async () => {
    fx.slack.seedToken("xoxe-1-rotate");
    const row = await seedConnection(fx, {
      provider: "slack",
      accessToken: "xoxb-old",
      refreshToken: "xoxe-1-rotate",
      expiresAt: new Date(Date.now() + 60_000),
    });
    fx.slack.fault("POST /api/oauth.v2.access", { latencyMs: 500, times: 1 });
    const run = refreshDueTokensAcrossTenants(fx.deps);
    await new Promise((r) => setTimeout(r, 200));
    // Another refresher takes the row over (as after an expired lease) while the provider answers.
    await fx.db.db.execute(sql`update integration_connections set refresh_lease_owner = 'other'`);
    expect(await run).toMatchObject({ claimed: 1, refreshed: 1, fenceLost: 1 });
    const [after] = await rowsOf([row.id]);
    expect(after!.tokenVersion).toBe(row.tokenVersion);
    expect(after!.refreshLeaseOwner).toBe("other");
    expect((await plainOf(after!)).refresh_token).toBe("xoxe-1-rotate");
  });

  it("marks a dead grant expired and brings an errored connection back, through the status machine", async () => {
    const dead = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "rt_revoked",
      expiresAt: new Date(Date.now() + 60_000),
      tenantName: "Dead",
    });
    fx.google.seedToken("rt_errored");
    const errored = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "b",
      refreshToken: "rt_errored",
      expiresAt: new Date(Date.now() + 60_000),
      tenantName: "Errored",
    });
    await fx.db.db
      .update(integrationConnections)
      .set({ status: "error", refreshFailures: 4 })
      .where(eq(integrationConnections.id, errored.id));
    expect(await refreshDueTokensAcrossTenants(fx.deps)).toMatchObject({ refreshed: 1, expired: 1 });
    const [deadAfter] = await rowsOf([dead.id]);
    const [erroredAfter] = await rowsOf([errored.id]);
    expect(deadAfter).toMatchObject({ status: "expired", refreshLeaseOwner: null });
    expect(erroredAfter).toMatchObject({ status: "active", refreshFailures: 0, tokenVersion: 1 });
    const transitions = await fx.db.db.select().from(connectionTransitions);
    expect(transitions.map((t) => `${t.fromStatus}->${t.toStatus}`).sort()).toEqual([
      "active->expired",
      "error->active",
    ]);
  });
});
