import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionHealthChecks, integrationConnections, providerAlerts } from "../../db/schema.ts";
import { rowsOf } from "../../src/db/types.ts";
import { checkConnections } from "../../src/health/check-connections.ts";
import { createHealthFixture, type HealthFixture, keys } from "./health-fixture.ts";

let fx: HealthFixture;
beforeAll(async () => {
  fx = await createHealthFixture();
  // Warm the probe path once (a cold first probe on a loaded machine can pass the 500 ms warning).
  await checkConnections(fx.deps, [await fx.connect("lob", { api_key: keys.lob! })]);
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.reset());

const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;
const checksOf = (id: string) =>
  fx.db.db
    .select()
    .from(connectionHealthChecks)
    .where(eq(connectionHealthChecks.connectionId, id))
    .orderBy(connectionHealthChecks.checkedAt);

describe("health checks against the provider simulators", () => {
  it("sends exactly two notices for three failures then a recovery: failing, then recovered", async () => {
    const id = await fx.connect("lob", { api_key: keys.lob! });
    await checkConnections(fx.deps, [id]);
    fx.sandbox.lob.fault("GET /v1/addresses", { status: 503, times: 3 });
    for (let i = 0; i < 3; i++) await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({ healthState: "failing", healthFailures: 3, status: "active" });
    expect(fx.alerts()).toHaveLength(1);
    await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({ healthState: "ok", healthFailures: 0 });
    const alerts = fx.alerts();
    expect(alerts).toHaveLength(2);
    expect(alerts[0]).toMatch(/Lob looks down.*503/);
    expect(alerts[1]).toMatch(/Lob is answering/);
    expect([...fx.betterStack.incidents.values()]).toEqual([
      expect.objectContaining({ resolved: true, summary: expect.stringContaining("Lob") }),
    ]);
    expect((await checksOf(id)).map((c) => c.outcome)).toEqual(["ok", "failing", "failing", "failing", "ok"]);
    expect(fx.sandbox.lob.requestsTo("GET /v1/addresses")).toHaveLength(5);
  });

  it("alerts at once and expires the connection when the provider refuses the key", async () => {
    const id = await fx.connect("resend", { api_key: "re_revoked_key" });
    const summary = await checkConnections(fx.deps, [id]);
    expect(summary).toMatchObject({ checked: 1, failed: 1, transitions: 1 });
    expect(await rowOf(id)).toMatchObject({ status: "expired", healthErrorClass: "auth" });
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toMatch(/Resend access expired or was revoked/);
    // Checked once more by an overlapping run: no second notice.
    await checkConnections(fx.deps, [id]);
    expect(fx.alerts()).toHaveLength(1);
  });

  it("reads Slack's ok=false invalid_auth answer as an auth failure", async () => {
    const id = await fx.connect("slack", { access_token: "xoxb-never-issued" });
    await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({
      status: "expired",
      lastError: expect.stringContaining("invalid_auth"),
    });
  });

  it("puts a connection whose probe is slow in the degraded (warning) state", async () => {
    const id = await fx.connect("retell", { api_key: keys.retell! });
    await checkConnections(fx.deps, [id]);
    fx.sandbox.retell.fault("GET /list-agents", { latencyMs: 650, status: 200, body: [] });
    await checkConnections(fx.deps, [id]);
    const row = await rowOf(id);
    expect(row).toMatchObject({ healthState: "degraded", status: "active" });
    expect(row.lastLatencyMs).toBeGreaterThanOrEqual(600);
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toMatch(/Retell AI is degraded: probe took \d+ ms/);
  });

  it("classifies a 429 as rate-limited, never as the provider being down, and raises nothing", async () => {
    const id = await fx.connect("elevenlabs", { api_key: keys.elevenlabs! });
    await checkConnections(fx.deps, [id]);
    fx.sandbox.elevenlabs.fault("GET /v1/user", { status: 429, retryAfter: 30, times: 4 });
    for (let i = 0; i < 4; i++) await checkConnections(fx.deps, [id]);
    const row = await rowOf(id);
    expect(row).toMatchObject({ healthState: "ok", healthFailures: 0, healthErrorClass: "rate_limited" });
    const checks = await checksOf(id);
    expect(checks.slice(1).map((c) => `${c.errorClass}:${c.httpStatus}`)).toEqual(
      Array(4).fill("rate_limited:429"),
    );
    expect(fx.alerts()).toEqual([]);
    expect(await fx.db.db.select().from(providerAlerts)).toEqual([]);
  });

  it("turns one provider's outage across many tenants into one alert and one recovery notice", async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await fx.connect("lob", { api_key: keys.lob! }, `Tenant ${i}`));
    await checkConnections(fx.deps, ids);
    fx.sandbox.lob.fault("GET /v1/addresses", { status: 502 });
    for (let round = 0; round < 4; round++) {
      // Two chunks per round, as two child runs would be.
      await Promise.all([
        checkConnections(fx.deps, ids.slice(0, 3)),
        checkConnections(fx.deps, ids.slice(3)),
      ]);
    }
    for (const id of ids) expect(await rowOf(id)).toMatchObject({ healthState: "failing" });
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toMatch(/Lob looks down/);
    fx.sandbox.lob.clearFaults();
    await Promise.all([checkConnections(fx.deps, ids.slice(0, 3)), checkConnections(fx.deps, ids.slice(3))]);
    expect(fx.alerts()).toHaveLength(2);
    expect(fx.alerts()[1]).toMatch(/Lob is answering health checks again/);
    const pending = rowsOf<{ n: number }>(
      await fx.db.db.execute(
        sql`select count(*)::int as n from connection_transitions where notified_at is null`,
      ),
    );
    expect(pending[0]!.n).toBe(0);
  });

  it("degrades a Stripe connected account whose payouts Stripe disabled, once, and tells its recovery once", async () => {
    const id = await fx.connect("stripe_connect", { access_token: keys.stripe_connect! });
    await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({ healthState: "ok", status: "active" });
    fx.sandbox.stripeState.disabledAccounts.add(fx.sandbox.stripeState.ownAccount);
    await checkConnections(fx.deps, [id]);
    await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({
      healthState: "degraded",
      status: "active",
      healthFailures: 0,
      lastError: "Stripe has disabled payouts on this account (requirements.past_due)",
    });
    expect(fx.alerts()).toEqual([
      expect.stringMatching(/Stripe Connect is degraded: Stripe has disabled payouts on this account/),
    ]);
    fx.sandbox.stripeState.disabledAccounts.clear();
    await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({ healthState: "ok", lastError: null });
    expect(fx.alerts()).toHaveLength(2);
    expect(fx.alerts()[1]).toMatch(/Stripe Connect is healthy again \(was degraded\)/);
    expect((await checksOf(id)).map((c) => c.outcome)).toEqual(["ok", "degraded", "degraded", "ok"]);
    expect(fx.sandbox.stripe.requestsTo("GET /v1/account")).toHaveLength(4);
  });

  it("never writes to a provider: every probe is a read (or a token request)", async () => {
    const ids = [
      await fx.connect("lob", { api_key: keys.lob! }),
      await fx.connect("retell", { api_key: keys.retell! }),
      await fx.connect("elevenlabs", { api_key: keys.elevenlabs! }),
      await fx.connect("fairing", { api_key: keys.fairing! }),
      await fx.connect("resend", { api_key: keys.resend! }),
      await fx.connect("stripe_connect", { access_token: keys.stripe_connect! }),
    ];
    const summary = await checkConnections(fx.deps, ids);
    expect(summary).toMatchObject({ checked: 6, ok: 6 });
    const { lob, retell, elevenlabs, fairing, resend, stripe } = fx.sandbox;
    const seen = [lob, retell, elevenlabs, fairing, resend, stripe].flatMap((sim) =>
      sim.requests.map((r) => `${r.method} ${r.path}`),
    );
    expect(seen.sort()).toEqual(
      [
        "GET /v1/addresses",
        "GET /list-agents",
        "GET /v1/user",
        "GET /questions",
        "GET /domains",
        "GET /v1/account",
      ].sort(),
    );
  });
});
