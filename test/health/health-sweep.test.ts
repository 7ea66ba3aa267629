import { sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionHealthChecks } from "../../db/schema.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { rowsOf } from "../../src/db/types.ts";
import { UnavailableError } from "../../src/errors.ts";
import { checkConnections } from "../../src/health/check-connections.ts";
import { listConnectionHealth } from "../../src/health/list-connection-health.ts";
import { pruneHealthChecks } from "../../src/health/prune-health-checks.ts";
import { runHealthSweep } from "../../src/health/run-health-sweep.ts";
import { HEALTH_CHUNK_SIZE } from "../../src/health/sweep-health-checks.ts";
import { createHealthFixture, type HealthFixture, keys } from "./health-fixture.ts";

let fx: HealthFixture;
beforeAll(async () => {
  fx = await createHealthFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.reset());

describe("the health sweep", () => {
  it("fans out one run per chunk of one provider's due connections, on that provider's queue", async () => {
    const lob = [];
    for (let i = 0; i < HEALTH_CHUNK_SIZE + 1; i++)
      lob.push(await fx.connect("lob", { api_key: keys.lob! }, `L${i}`));
    const retell = await fx.connect("retell", { api_key: keys.retell! }, "R");
    const clarity = await fx.connect("clarity", { api_key: "clarity-token" }, "C");
    const result = await runHealthSweep(fx.deps, { sweepId: "2026-12-04T10:05:00.000Z" });
    expect(result).toMatchObject({ due: HEALTH_CHUNK_SIZE + 2, chunks: 3, triggered: 3, heartbeat: true });
    const items = fx.triggered.flatMap((t) => t.items.map((item) => ({ taskId: t.taskId, ...item })));
    expect(items.map((i) => i.options?.queue).sort()).toEqual([
      "health-check-lob",
      "health-check-lob",
      "health-check-retell",
    ]);
    const ids = items.flatMap((i) => (i.payload as { connectionIds: string[] }).connectionIds);
    expect(new Set(ids)).toEqual(new Set([...lob, retell]));
    expect(ids).not.toContain(clarity); // its probe spends a 10-a-day quota
    expect(items.map((i) => i.options?.idempotencyKey)).toContain("health:2026-12-04T10:05:00.000Z:lob:1");
    expect(items.every((i) => i.taskId === "health-check-connections")).toBe(true);
  });

  it("skips connections checked within the interval and those not active or in error", async () => {
    const fresh = await fx.connect("lob", { api_key: keys.lob! }, "Fresh");
    const stale = await fx.connect("lob", { api_key: keys.lob! }, "Stale");
    const expired = await fx.connect("retell", { api_key: keys.retell! }, "Expired");
    await checkConnections(fx.deps, [fresh, stale]);
    await fx.db.db.execute(sql`update integration_connections set last_checked_at = now() - interval '6 minutes'
      where id = ${stale}`);
    await fx.db.db.execute(sql`update integration_connections set status = 'expired' where id = ${expired}`);
    const result = await runHealthSweep(fx.deps, { sweepId: "s2" });
    expect(result.due).toBe(1);
    expect(fx.triggered[0]!.items[0]!.payload).toEqual({ provider: "lob", connectionIds: [stale] });
  });

  it("pings the heartbeat after a successful sweep and its /fail URL after a failed one", async () => {
    await runHealthSweep(fx.deps, { sweepId: "ok" });
    expect(fx.betterStack.heartbeats()).toEqual(["hb_health"]);
    await fx.connect("lob", { api_key: keys.lob! });
    const failing = buildDeps({
      db: fx.db.db,
      keyRing: fx.deps.keyRing,
      env: fx.deps.env,
      jobs: {
        trigger: async () => ({ id: "x", isCached: false }),
        batchTrigger: async () => {
          throw new UnavailableError("Could not reach Trigger.dev");
        },
      },
    });
    await expect(runHealthSweep(failing, { sweepId: "down" })).rejects.toThrow(/Trigger.dev/);
    expect(fx.betterStack.heartbeats()).toEqual(["hb_health", "hb_health/fail"]);
  });

  it("reports progress as processed/total", async () => {
    await fx.connect("lob", { api_key: keys.lob! });
    const seen: unknown[] = [];
    await runHealthSweep(fx.deps, { sweepId: "p", onProgress: (p) => void seen.push(p) });
    expect(seen).toEqual([{ processed: 1, total: 1 }]);
  });
});

describe("health history", () => {
  it("prunes checks older than the retention period in batches and keeps the rest", async () => {
    const id = await fx.connect("lob", { api_key: keys.lob! });
    for (let i = 0; i < 5; i++) await checkConnections(fx.deps, [id]);
    await fx.db.db.execute(sql`update connection_health_checks set checked_at = now() - interval '31 days'
      where id in (select id from connection_health_checks order by checked_at limit 3)`);
    const result = await pruneHealthChecks(fx.db.db, { retentionDays: 30, batchSize: 2 });
    expect(result).toMatchObject({ checks: 3, batches: 2 });
    const left = await fx.db.db.select().from(connectionHealthChecks);
    expect(left).toHaveLength(2);
    for (const row of left) expect(row.checkedAt.getTime()).toBeGreaterThan(Date.now() - 86_400_000);
  });

  it("lists one tenant's connection health with its timeline, and nobody else's", async () => {
    const mine = await fx.connect("lob", { api_key: keys.lob! }, "Mine");
    const theirs = await fx.connect("lob", { api_key: keys.lob! }, "Theirs");
    fx.sandbox.lob.fault("GET /v1/addresses", { status: 503, times: 1 });
    await checkConnections(fx.deps, [mine]);
    await checkConnections(fx.deps, [mine, theirs]);
    const [tenant] = rowsOf<{ tenant_id: string }>(
      await fx.db.db.execute(sql`select tenant_id from integration_connections where id = ${mine}`),
    );
    const list = await listConnectionHealth(fx.db.db, { tenantId: tenant!.tenant_id, history: 5 });
    expect(list).toHaveLength(1);
    expect(list[0]).toMatchObject({
      id: mine,
      provider: "lob",
      status: "active",
      healthState: "ok",
      consecutiveFailures: 0,
      errorRate: 0.5,
      lastCheckedAt: expect.any(String),
    });
    expect(list[0]!.checks!.map((c) => c.outcome)).toEqual(["ok", "failing"]);
    expect(list[0]!.checks![1]).toMatchObject({ httpStatus: 503, errorClass: "provider_down" });
    expect(await listConnectionHealth(fx.db.db)).toHaveLength(2);
  });
});
