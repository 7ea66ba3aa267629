import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { checkConnections } from "../../src/health/check-connections.ts";
import { checkPlatformCredentials } from "../../src/health/check-platform-credentials.ts";
import { createHealthFixture, type HealthFixture, keys } from "./health-fixture.ts";

let fx: HealthFixture;
beforeAll(async () => {
  fx = await createHealthFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.reset());

// Overlapping runs (a retried chunk, a late sweep beside the next) must not tell a change twice.
describe("overlapping health checks", () => {
  it("three concurrent checks of a revoked key send one alert", async () => {
    const id = await fx.connect("lob", { api_key: keys.lob! });
    fx.sandbox.lob.fault("*", { status: 401 });
    await Promise.all([
      checkConnections(fx.deps, [id]),
      checkConnections(fx.deps, [id]),
      checkConnections(fx.deps, [id]),
    ]);
    expect(fx.alerts()).toHaveLength(1);
  });
  it("an outage seen by two chunks at once, three times, is one provider alert", async () => {
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await fx.connect("lob", { api_key: keys.lob! }, `T${i}`));
    fx.sandbox.lob.fault("*", { status: 503 });
    for (let r = 0; r < 3; r++)
      await Promise.all([
        checkConnections(fx.deps, ids.slice(0, 3)),
        checkConnections(fx.deps, ids.slice(3)),
      ]);
    expect(fx.alerts()).toHaveLength(1);
  });
  it("platform credentials refused under three overlapping sweeps are one alert each", async () => {
    fx.sandbox.plaid.fault("*", {
      status: 400,
      body: { error_code: "INVALID_API_KEYS", error_message: "bad keys" },
    });
    fx.sandbox.paypal.fault("*", { status: 401, body: { error: "invalid_client" } });
    await Promise.all([
      checkPlatformCredentials(fx.deps),
      checkPlatformCredentials(fx.deps),
      checkPlatformCredentials(fx.deps),
    ]);
    expect(fx.alerts()).toHaveLength(2);
  });
});
