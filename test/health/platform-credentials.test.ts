import { asc, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { platformCredentialChecks, platformCredentialHealth, tenants } from "../../db/schema.ts";
import { type StripeApiSimulator, startStripeApiSimulator } from "../../local/sandbox/stripe-api-server.ts";
import { buildDeps } from "../../src/build-deps.ts";
import { withTenant } from "../../src/db/with-tenant.ts";
import { checkPlatformCredentials } from "../../src/health/check-platform-credentials.ts";
import { listPlatformCredentialHealth } from "../../src/health/list-platform-credential-health.ts";
import { pruneHealthChecks } from "../../src/health/prune-health-checks.ts";
import { runHealthSweep } from "../../src/health/run-health-sweep.ts";
import { createHealthFixture, type HealthFixture } from "./health-fixture.ts";

const PLATFORM_KEY = "sk_test_platform_health";
/** The keys the platform's Stripe account accepts; emptying it revokes the key in the simulator. */
const stripeKeys = [PLATFORM_KEY];
let stripe: StripeApiSimulator;
let fx: HealthFixture;
let sweeps = 0;

beforeAll(async () => {
  stripe = await startStripeApiSimulator(stripeKeys);
  fx = await createHealthFixture({ STRIPE_API_KEY: PLATFORM_KEY, STRIPE_API_URL: stripe.url });
  // Warm the probe paths once (a cold first probe on a loaded machine can pass the 500 ms warning).
  await checkPlatformCredentials(fx.deps);
});
afterAll(async () => {
  await fx?.close();
  await stripe?.close();
});
beforeEach(async () => {
  await fx.reset();
  stripe.requests.length = 0;
  stripe.clearFaults();
  stripeKeys.splice(0, stripeKeys.length, PLATFORM_KEY);
});

const sweep = () => runHealthSweep(fx.deps, { sweepId: `platform-${++sweeps}` });
const stateOf = async (provider: string) =>
  (await listPlatformCredentialHealth(fx.db.db)).find((p) => p.provider === provider);
const stripeChecks = async () =>
  (
    await fx.db.db.select().from(platformCredentialChecks).orderBy(asc(platformCredentialChecks.checkedAt))
  ).filter((c) => c.provider === "stripe");

describe("platform credentials in the health sweep", () => {
  it("probes every configured platform credential each sweep (Stripe, Plaid, PayPal), read-only", async () => {
    const result = await sweep();
    expect(result.platform.map((p) => `${p.provider}:${p.healthState}`).sort()).toEqual([
      "paypal:ok",
      "plaid:ok",
      "stripe:ok",
    ]);
    expect(stripe.requests.map((r) => `${r.method} ${r.path} ${r.headers.authorization}`)).toEqual([
      `GET /v1/balance Bearer ${PLATFORM_KEY}`,
    ]);
    expect(fx.sandbox.plaid.requestsTo("POST /institutions/get")).toHaveLength(1);
    // PayPal's probe is a token request (the resolver may mint one more for its cache).
    expect(fx.sandbox.paypal.requests.every((r) => r.path === "/v1/oauth2/token")).toBe(true);
    expect(fx.alerts()).toEqual([]);
    const rows = await fx.db.db.select().from(platformCredentialHealth);
    expect(rows.map((r) => r.provider).sort()).toEqual(["paypal", "plaid", "stripe"]);
    expect(rows.every((r) => r.lastCheckedAt !== null && r.notifiedState === "ok")).toBe(true);
  });

  it("alerts once when the simulator revokes the platform Stripe key, shows why, and tells its recovery once", async () => {
    await sweep();
    stripeKeys.length = 0;
    await sweep();
    await sweep();
    expect(await stateOf("stripe")).toMatchObject({
      healthState: "failing",
      lastErrorClass: "auth",
      consecutiveFailures: 2,
      lastError: "unauthorized: stripe answered HTTP 401: Invalid API Key provided",
    });
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toMatch(
      /Stripe: the platform credential is failing \[auth\] \(unauthorized: stripe answered HTTP 401: Invalid API Key provided\)\. Check STRIPE_API_KEY\./,
    );
    const [incident] = [...fx.betterStack.incidents.values()];
    expect(incident).toMatchObject({ resolved: false, summary: expect.stringContaining("Stripe") });

    stripeKeys.push(PLATFORM_KEY);
    await sweep();
    await sweep();
    expect(await stateOf("stripe")).toMatchObject({
      healthState: "ok",
      consecutiveFailures: 0,
      lastError: null,
    });
    expect(fx.alerts()).toHaveLength(2);
    expect(fx.alerts()[1]).toMatch(/Stripe: the platform credential works again/);
    expect([...fx.betterStack.incidents.values()]).toEqual([expect.objectContaining({ resolved: true })]);
    expect((await stripeChecks()).map((c) => c.outcome)).toEqual(["ok", "failing", "failing", "ok", "ok"]);
  });

  it("classifies a 429 as rate-limited, never as down, and raises nothing", async () => {
    await sweep();
    stripe.fault("GET /v1/balance", { status: 429, retryAfter: 30, times: 4 });
    for (let i = 0; i < 4; i++) await sweep();
    expect(await stateOf("stripe")).toMatchObject({
      healthState: "ok",
      consecutiveFailures: 0,
      lastErrorClass: "rate_limited",
    });
    const checks = await stripeChecks();
    expect(checks.slice(1).map((c) => `${c.outcome}:${c.errorClass}:${c.httpStatus}`)).toEqual(
      Array(4).fill("degraded:rate_limited:429"),
    );
    expect(fx.alerts()).toEqual([]);
  });

  it("turns three failed probes of a provider that is down into one failing notice", async () => {
    await sweep();
    stripe.fault("GET /v1/balance", { status: 503 });
    for (let i = 0; i < 4; i++) await sweep();
    expect(await stateOf("stripe")).toMatchObject({
      healthState: "failing",
      lastErrorClass: "provider_down",
      consecutiveFailures: 4,
    });
    expect(fx.alerts()).toHaveLength(1);
    expect(fx.alerts()[0]).toMatch(/Stripe: the platform credential is failing \[provider_down\]/);
    expect(fx.alerts()[0]).not.toMatch(/Check STRIPE_API_KEY/);
  });

  it("reads a PayPal secret the token endpoint refuses as an auth failure", async () => {
    const wrong = buildDeps({
      db: fx.db.db,
      keyRing: fx.deps.keyRing,
      jobs: fx.deps.jobs,
      env: { ...fx.deps.env, PAYPAL_CLIENT_SECRET: "revoked-secret" },
    });
    const result = await checkPlatformCredentials(wrong);
    expect(result.find((p) => p.provider === "paypal")).toMatchObject({
      healthState: "failing",
      notified: "failing",
    });
    expect(await stateOf("paypal")).toMatchObject({ lastErrorClass: "auth" });
    expect(fx.alerts()).toEqual([
      expect.stringMatching(
        /PayPal: the platform credential is failing \[auth\].*PAYPAL_CLIENT_ID and PAYPAL_CLIENT_SECRET/,
      ),
    ]);
  });

  it("sends the failing notice again on the next sweep when the first send failed", async () => {
    await sweep();
    stripeKeys.length = 0;
    fx.sandbox.slack.fault("POST /hooks/*", { status: 500, times: 1 });
    await sweep();
    expect(fx.alerts()).toHaveLength(1); // the refused post
    expect(
      (await fx.db.db.select().from(platformCredentialHealth)).find((r) => r.provider === "stripe"),
    ).toMatchObject({
      notifiedState: "ok",
    });
    await sweep();
    expect(fx.alerts()).toHaveLength(2);
    expect(fx.alerts()[1]).toMatch(/Stripe: the platform credential is failing/);
    await sweep();
    expect(fx.alerts()).toHaveLength(2);
  });

  it("lists each platform credential with its newest checks, and prunes checks past the retention period", async () => {
    await sweep();
    await sweep();
    const [stripeHealth] = (await listPlatformCredentialHealth(fx.db.db, { history: 1 })).filter(
      (p) => p.provider === "stripe",
    );
    expect(stripeHealth).toMatchObject({ name: "Stripe", errorRate: 0, lastHttpStatus: 200 });
    expect(stripeHealth!.checks).toEqual([expect.objectContaining({ outcome: "ok", httpStatus: 200 })]);
    await fx.db.db.execute(sql`update platform_credential_checks set checked_at = now() - interval '31 days'
      where provider = 'stripe'`);
    expect(await pruneHealthChecks(fx.db.db, { retentionDays: 30 })).toMatchObject({ platformChecks: 2 });
    expect(await stripeChecks()).toEqual([]);
  });

  it("keeps platform rows out of tenant transactions: app_user holds no privilege on them", async () => {
    await sweep();
    const [tenant] = await fx.db.db.insert(tenants).values({ name: "Curious" }).returning();
    const denied = await withTenant(fx.db.db, tenant!.id, (tx) =>
      tx.execute(sql`select * from platform_credential_health`),
    ).catch((err: Error & { cause?: Error }) => err.cause?.message ?? err.message);
    expect(denied).toMatch(/permission denied for table platform_credential_health/);
  });

  it("forgets a platform credential removed from the configuration, closing its open alert first", async () => {
    stripeKeys.length = 0;
    await sweep();
    expect(await stateOf("stripe")).toMatchObject({ healthState: "failing" });
    const { STRIPE_API_KEY: _removed, ...env } = fx.deps.env;
    const without = buildDeps({ db: fx.db.db, keyRing: fx.deps.keyRing, jobs: fx.deps.jobs, env });
    const result = await checkPlatformCredentials(without);
    expect(result.map((p) => p.provider).sort()).toEqual(["paypal", "plaid"]);
    expect(await stateOf("stripe")).toBeUndefined();
    expect(fx.alerts()).toHaveLength(2);
    expect(fx.alerts()[1]).toMatch(/Stripe: the platform credential is no longer configured/);
    expect([...fx.betterStack.incidents.values()]).toEqual([expect.objectContaining({ resolved: true })]);
  });
});
