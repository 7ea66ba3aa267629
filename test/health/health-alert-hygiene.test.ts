import { eq } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { connectionHealthChecks, integrationConnections } from "../../db/schema.ts";
import { checkConnections } from "../../src/health/check-connections.ts";
import { createHealthFixture, type HealthFixture, keys } from "./health-fixture.ts";

// A provider's error text is attacker-influenced (a hostile or compromised provider, a proxy in
// between): it must neither format the Slack alert nor carry the credential back to people.
let fx: HealthFixture;
beforeAll(async () => {
  fx = await createHealthFixture();
});
afterAll(async () => fx?.close());
beforeEach(async () => fx.reset());

const rowOf = async (id: string) =>
  (await fx.db.db.select().from(integrationConnections).where(eq(integrationConnections.id, id)))[0]!;

describe("a provider's error text in health alerts", () => {
  it("cannot mention the channel or plant a link in the Slack alert", async () => {
    const id = await fx.connect("lob", { api_key: keys.lob! });
    fx.sandbox.lob.fault("GET /v1/addresses", {
      status: 401,
      body: { error: "<!channel> key revoked, <https://evil.example/login|reconnect here> & retry" },
    });
    await checkConnections(fx.deps, [id]);
    expect(await rowOf(id)).toMatchObject({ status: "expired", healthErrorClass: "auth" });
    const [alert, ...more] = fx.alerts();
    expect(more).toEqual([]);
    expect(alert).toMatch(/Lob access expired or was revoked/);
    expect(alert).not.toMatch(/<!channel>|<https:/);
    expect(alert).toContain(
      "&lt;!channel&gt; key revoked, &lt;https://evil.example/login|reconnect here&gt; &amp; retry",
    );
  });

  it("never stores, shows or posts the credential a provider echoes back in its error", async () => {
    const id = await fx.connect("lob", { api_key: keys.lob! });
    fx.sandbox.lob.fault("GET /v1/addresses", {
      status: 401,
      body: { error: `Invalid API key provided: ${keys.lob!}` },
    });
    await checkConnections(fx.deps, [id]);
    const row = await rowOf(id);
    expect(row).toMatchObject({ status: "expired", healthErrorClass: "auth" });
    expect(row.lastError).toContain("Invalid API key provided: [redacted]");
    const [check] = await fx.db.db
      .select()
      .from(connectionHealthChecks)
      .where(eq(connectionHealthChecks.connectionId, id));
    expect(check!.error).toContain("[redacted]");
    const everything = JSON.stringify([
      row.lastError,
      check,
      fx.alerts(),
      [...fx.betterStack.incidents.values()],
    ]);
    expect(everything).not.toContain(keys.lob!);
    expect(fx.alerts()).toHaveLength(1);
  });
});
