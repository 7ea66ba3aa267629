import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionTransitions, integrationConnections } from "../../db/schema.ts";
import {
  applyConnectionSignals,
  type ConnectionSignal,
} from "../../src/connections/apply-connection-signals.ts";
import { rowsOf } from "../../src/db/types.ts";
import {
  type ConnectionFixture,
  createConnectionFixture,
  seedConnection,
} from "../helpers/connection-fixture.ts";

let fx: ConnectionFixture;
beforeAll(async () => {
  fx = await createConnectionFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => {
  await fx.db.truncate();
  fx.slack.requests.length = 0;
});

const later = () => new Date(Date.now() + 3_600_000);
const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;
const transitionsOf = async (id: string) =>
  fx.db.db
    .select()
    .from(connectionTransitions)
    .where(eq(connectionTransitions.connectionId, id))
    .orderBy(connectionTransitions.createdAt);
const seed = () => seedConnection(fx, { provider: "google_drive", accessToken: "at", expiresAt: later() });
const down = (connectionId: string, source: "refresh" | "health" = "health"): ConnectionSignal => ({
  connectionId,
  source,
  ok: false,
  failureClass: "provider_down",
  reason: "provider_unavailable: HTTP 503",
  latencyMs: 40,
  httpStatus: 503,
});
const up = (
  connectionId: string,
  source: "refresh" | "health" = "health",
  latencyMs = 20,
): ConnectionSignal => ({
  connectionId,
  source,
  ok: true,
  latencyMs,
});

describe("the connection status machine", () => {
  it("turns health failing on the third failure in a row and ok again on success: two transitions", async () => {
    const row = await seed();
    await applyConnectionSignals(fx.deps, [up(row.id)]);
    for (let i = 0; i < 3; i++) await applyConnectionSignals(fx.deps, [down(row.id)]);
    expect(await rowOf(row.id)).toMatchObject({
      healthState: "failing",
      healthFailures: 3,
      status: "active",
    });
    await applyConnectionSignals(fx.deps, [up(row.id)]);
    const after = await rowOf(row.id);
    expect(after).toMatchObject({
      healthState: "ok",
      healthFailures: 0,
      failingSince: null,
      lastError: null,
    });
    expect((await transitionsOf(row.id)).map((t) => `${t.kind}:${t.fromStatus}->${t.toStatus}`)).toEqual([
      "health:ok->failing",
      "health:failing->ok",
    ]);
    expect(fx.alerts()).toHaveLength(2);
  });

  it("expires a connection at once on an auth failure from a probe, with one status transition", async () => {
    const row = await seed();
    const [result] = await applyConnectionSignals(fx.deps, [
      {
        connectionId: row.id,
        source: "health",
        ok: false,
        failureClass: "auth",
        reason: "unauthorized: HTTP 401",
      },
    ]);
    expect(result).toMatchObject({ status: "expired", healthState: "unknown" });
    expect((await transitionsOf(row.id)).map((t) => `${t.kind}:${t.fromStatus}->${t.toStatus}`)).toEqual([
      "status:active->expired",
    ]);
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toContain("expired");
  });

  it("keeps a connection in error while probes fail, even when its token refreshes", async () => {
    const row = await seed();
    for (let i = 0; i < 3; i++) await applyConnectionSignals(fx.deps, [down(row.id)]);
    await fx.db.db.execute(
      sql`update integration_connections set failing_since = now() - interval '25 hours' where id = ${row.id}`,
    );
    await applyConnectionSignals(fx.deps, [down(row.id)]);
    expect(await rowOf(row.id)).toMatchObject({ status: "error" });
    await applyConnectionSignals(fx.deps, [up(row.id, "refresh")]);
    expect(await rowOf(row.id)).toMatchObject({ status: "error", refreshFailures: 0, healthFailures: 4 });
    await applyConnectionSignals(fx.deps, [up(row.id, "health")]);
    expect(await rowOf(row.id)).toMatchObject({ status: "active", healthState: "ok", failingSince: null });
  });

  it("marks a slow probe degraded (a warning), and records each check", async () => {
    const row = await seed();
    await applyConnectionSignals(fx.deps, [up(row.id, "health", 20)]);
    const [result] = await applyConnectionSignals(fx.deps, [up(row.id, "health", 900)]);
    expect(result).toMatchObject({ healthState: "degraded" });
    expect(result!.transition).toMatchObject({ kind: "health", fromStatus: "ok", toStatus: "degraded" });
    expect(result!.transition?.reason).toContain("900 ms");
    const checks = rowsOf<{ outcome: string; latency_ms: number }>(
      await fx.db.db.execute(
        sql`select outcome, latency_ms from connection_health_checks where connection_id = ${row.id} order by checked_at`,
      ),
    );
    expect(checks.map((r) => `${r.outcome}:${r.latency_ms}`)).toEqual(["ok:20", "degraded:900"]);
  });

  it("alerts on an hourly error rate above 1% once the hour holds ten probes", async () => {
    const row = await seed();
    await applyConnectionSignals(fx.deps, [down(row.id)]);
    for (let i = 0; i < 8; i++) await applyConnectionSignals(fx.deps, [up(row.id)]);
    expect(await rowOf(row.id)).toMatchObject({ healthState: "ok", healthWindowChecks: 9 });
    const [tenth] = await applyConnectionSignals(fx.deps, [up(row.id)]);
    expect(tenth).toMatchObject({ healthState: "degraded" });
    expect(tenth!.transition?.reason).toBe("1 of 10 probes failed in the last hour");
  });

  it("records one transition when many workers report the same failure at once", async () => {
    const row = await seed();
    await fx.db.db.execute(sql`update integration_connections set health_failures = 2 where id = ${row.id}`);
    await Promise.all(Array.from({ length: 8 }, () => applyConnectionSignals(fx.deps, [down(row.id)])));
    expect(await rowOf(row.id)).toMatchObject({ healthFailures: 10, healthState: "failing" });
    expect(await transitionsOf(row.id)).toHaveLength(1);
    expect(fx.alerts()).toHaveLength(1);
  });

  it("applies a batch over many tenants in one call, each row its own outcome", async () => {
    const rows = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        seedConnection(fx, { provider: "slack", accessToken: "x", expiresAt: later(), tenantName: `T${i}` }),
      ),
    );
    const results = await applyConnectionSignals(
      fx.deps,
      rows.map((r, i) => (i % 2 ? down(r.id) : up(r.id))),
      { notify: false },
    );
    expect(results).toHaveLength(5);
    for (const [i, r] of rows.entries()) {
      expect(await rowOf(r.id)).toMatchObject({
        healthFailures: i % 2 ? 1 : 0,
        lastCheckedAt: expect.any(Date),
      });
    }
    expect(fx.alerts()).toHaveLength(0);
  });
});
