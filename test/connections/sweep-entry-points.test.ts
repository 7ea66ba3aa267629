import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { oauthStates } from "../../db/schema.ts";
import { refreshConnectionById } from "../../src/connections/refresh-connection-by-id.ts";
import { runTokenRefreshSweep } from "../../src/connections/run-token-refresh-sweep.ts";
import { seedConnection, useConnectionFixture } from "../helpers/connection-fixture.ts";

const fx = useConnectionFixture();
const pings: string[] = [];
const heartbeat = createServer((req, res) => {
  pings.push(`${req.method} ${req.url}`);
  res.end("ok");
});
beforeAll(async () => {
  await new Promise<void>((resolve) => heartbeat.listen(0, "127.0.0.1", resolve));
});
afterAll(() => {
  heartbeat.close();
});
beforeEach(() => {
  pings.length = 0;
});

const dueGoogle = (refreshToken: string) => {
  fx.google.seedToken(refreshToken);
  return seedConnection(fx, {
    provider: "google_drive",
    accessToken: "at_old",
    refreshToken,
    expiresAt: new Date(Date.now() + 60_000),
  });
};

describe("the token refresh sweep", () => {
  it("refreshes what is due, purges OAuth states expired over a day ago and pings its heartbeat", async () => {
    const row = await dueGoogle("rt_sweep_entry");
    await fx.db.db.insert(oauthStates).values({
      nonce: "stale-nonce",
      tenantId: row.tenantId,
      provider: "google_drive",
      redirectUri: "http://switchboard.test/oauth/callback/google_drive",
      returnUrl: "http://app.test",
      metadata: {},
      expiresAt: new Date(Date.now() - 2 * 86_400_000),
    });
    // Expired for an hour only: kept (a state is purged a day after it expired).
    await fx.db.db.insert(oauthStates).values({
      nonce: "recent-nonce",
      tenantId: row.tenantId,
      provider: "google_drive",
      redirectUri: "http://switchboard.test/oauth/callback/google_drive",
      returnUrl: "http://app.test",
      metadata: {},
      expiresAt: new Date(Date.now() - 3_600_000),
    });
    const { port } = heartbeat.address() as AddressInfo;
    const deps = {
      ...fx.deps,
      env: { ...fx.deps.env, BETTERSTACK_HEARTBEAT_URL: `http://127.0.0.1:${port}/hb/sweep` },
    };
    const result = await runTokenRefreshSweep(deps);
    expect(result).toMatchObject({
      claimed: 1,
      refreshed: 1,
      renotified: 0,
      purgedOAuthStates: 1,
      heartbeat: true,
    });
    expect(pings).toEqual(["GET /hb/sweep"]);
    expect((await fx.db.db.select().from(oauthStates)).map((s) => s.nonce)).toEqual(["recent-nonce"]);
  });

  it("reports no heartbeat when none is configured", async () => {
    const env = { ...fx.deps.env };
    delete env.BETTERSTACK_HEARTBEAT_URL;
    expect(await runTokenRefreshSweep({ ...fx.deps, env })).toMatchObject({ heartbeat: false });
    expect(pings).toEqual([]);
  });
});

describe("refreshing one connection by id (the operator's command)", () => {
  it("finds the owning tenant and refreshes the connection", async () => {
    const row = await dueGoogle("rt_by_id");
    expect(await refreshConnectionById(fx.deps, row.id, { force: true })).toMatchObject({
      outcome: "refreshed",
      connectionId: row.id,
    });
    expect(fx.google.requestsTo("POST /token")).toHaveLength(1);
  });

  it("says which connection does not exist", async () => {
    const id = crypto.randomUUID();
    await expect(refreshConnectionById(fx.deps, id)).rejects.toMatchObject({
      code: "not_found",
      message: `No connection ${id}`,
    });
  });
});
