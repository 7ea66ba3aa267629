import { tasks } from "@trigger.dev/sdk";
import { eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { integrationConnections, oauthStates } from "../../db/schema.ts";
import type { RunView } from "../../local/executor/run-store.ts";
import { type Runtime, startRuntime } from "../../local/runtime.ts";
import { startSimulator } from "../../local/sandbox/simulator.ts";
import { rowsOf } from "../../src/db/types.ts";
import {
  type ConnectionFixture,
  createConnectionFixture,
  seedConnection,
} from "../helpers/connection-fixture.ts";
import { waitUntil } from "../helpers/wait-until.ts";

let fx: ConnectionFixture;
let runtime: Runtime;

beforeAll(async () => {
  fx = await createConnectionFixture();
  Object.assign(process.env, fx.deps.env, { ALERTS_SLACK_WEBHOOK_URL: `${fx.slack.url}/hooks/platform` });
  runtime = await startRuntime({ db: fx.db, port: 0, secretKey: "tr_test", sandbox: false, cron: false });
});
afterAll(async () => {
  await runtime?.close(1_000);
  await fx?.close();
});
beforeEach(async () => {
  await fx.db.truncate();
  fx.google.requests.length = 0;
  fx.google.clearFaults();
});

const runs = async (taskId: string) =>
  (await (
    await fetch(`${runtime.url}/runs?taskId=${taskId}&limit=1000`, {
      headers: { authorization: "Bearer tr_test" },
    })
  ).json()) as RunView[];
const settled = (id: string) =>
  waitUntil(async () => {
    const run = (await (
      await fetch(`${runtime.url}/runs/${id}`, { headers: { authorization: "Bearer tr_test" } })
    ).json()) as RunView;
    return run.status === "completed" || run.status === "failed" ? run : undefined;
  }, 20_000);

describe("token refresh sweep", () => {
  it("refreshes every due connection of every tenant once, in the sweep run itself", async () => {
    const due = [];
    for (let i = 0; i < 5; i++) {
      fx.google.seedToken(`rt_sweep_${i}`);
      due.push(
        await seedConnection(fx, {
          provider: "google_drive",
          accessToken: `at_${i}`,
          refreshToken: `rt_sweep_${i}`,
          expiresAt: new Date(Date.now() + 10 * 60_000),
          tenantName: `T${i}`,
        }),
      );
    }
    const later = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "later",
      refreshToken: "rt_later",
      expiresAt: new Date(Date.now() + 5 * 3_600_000),
      tenantName: "Later",
    });
    await fx.db.db.insert(oauthStates).values({
      nonce: "stale",
      tenantId: due[0]!.tenantId,
      provider: "google_drive",
      redirectUri: "http://x",
      expiresAt: new Date(Date.now() - 2 * 86_400_000),
    });
    const heartbeat = await startSimulator({ "GET /beat": () => ({ body: "ok" }) });
    process.env.BETTERSTACK_HEARTBEAT_URL = `${heartbeat.url}/beat`;
    const sweep = await tasks.trigger("token-refresh-sweep", {});
    const run = await settled(sweep.id);
    expect(run.output).toMatchObject({
      claimed: 5,
      refreshed: 5,
      fenceLost: 0,
      purgedOAuthStates: 1,
      heartbeat: true,
    });
    expect(run.metadata).toMatchObject({ claimed: 5, refreshed: 5 });
    expect(heartbeat.requestsTo("GET /beat")).toHaveLength(1);
    delete process.env.BETTERSTACK_HEARTBEAT_URL;
    await heartbeat.close();
    for (const row of await fx.db.db.select().from(integrationConnections)) {
      expect(row.tokenVersion).toBe(row.id === later.id ? later.tokenVersion : 1);
    }
    expect(fx.google.requestsTo("POST /token")).toHaveLength(5);
    const [untouched] = await fx.db.db
      .select()
      .from(integrationConnections)
      .where(eq(integrationConnections.id, later.id));
    expect(untouched!.tokenVersion).toBe(later.tokenVersion);

    const again = await tasks.trigger("token-refresh-sweep", {});
    expect((await settled(again.id)).output).toMatchObject({ claimed: 0, refreshed: 0 });
  });

  it("waits for a 429's Retry-After when it is longer than the task's own backoff", async () => {
    fx.google.seedToken("rt_slow");
    const row = await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "a",
      refreshToken: "rt_slow",
      expiresAt: new Date(Date.now() + 60_000),
    });
    // The task's first backoff is 2-4 s (minTimeoutInMs 2 s, randomized up to 2x): ask for 5 s.
    fx.google.fault("POST /token", { status: 429, retryAfter: 5, times: 1 });
    const handle = await tasks.trigger("token-refresh-connection", {
      connectionId: row.id,
      tenantId: row.tenantId,
    });
    const run = await settled(handle.id);
    expect(run).toMatchObject({ status: "completed", attempts: 2, output: { outcome: "refreshed" } });
    const [first, second] = fx.google.requestsTo("POST /token");
    expect(second!.at - first!.at).toBeGreaterThanOrEqual(4_950);
  });

  it("claims due connections through the refresh_due_at index", async () => {
    await fx.db.db.execute(sql`set enable_seqscan = off`);
    const plan = rowsOf<Record<string, string>>(
      await fx.db.db.execute(sql`explain select id from integration_connections
        where status in ('active', 'error') and refresh_due_at <= now() + interval '1 hour' order by refresh_due_at limit 1000`),
    )
      .map((r) => Object.values(r)[0])
      .join("\n");
    await fx.db.db.execute(sql`set enable_seqscan = on`);
    expect(plan).toContain("integration_connections_refresh_due_idx");
  });

  it("never writes a token, key or secret into logs or run records", async () => {
    fx.google.seedToken("rt_secret_scan");
    await seedConnection(fx, {
      provider: "google_drive",
      accessToken: "at_secret_scan",
      refreshToken: "rt_secret_scan",
      expiresAt: new Date(Date.now() + 60_000),
    });
    const sweep = await tasks.trigger("token-refresh-sweep", {});
    expect((await settled(sweep.id)).output).toMatchObject({ refreshed: 1 });
    const secrets = [
      "at_secret_scan",
      "rt_secret_scan",
      ...fx.google.accessTokens,
      ...fx.google.validRefreshTokens(),
      ...fx.slack.accessTokens,
      "test-client-secret-value",
      process.env.ENCRYPTION_KEYS!.split(",")[0]!.split(":")[1]!,
    ];
    const everything = [
      ...fx.logs,
      JSON.stringify(await runs("token-refresh-connection")),
      JSON.stringify(await runs("token-refresh-sweep")),
    ].join("\n");
    expect(fx.logs.length).toBeGreaterThan(5);
    for (const secret of secrets) expect(everything).not.toContain(secret);
  });
});
