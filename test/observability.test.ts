import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../local/sandbox/simulator.ts";
import { resetConfig } from "../src/config.ts";
import { AppError } from "../src/errors.ts";
import { pingHeartbeat } from "../src/observability/heartbeat.ts";
import { captureFailure, initSentry } from "../src/observability/sentry.ts";

let sentry: Simulator;
beforeAll(async () => {
  sentry = await startSimulator({
    "POST /api/42/envelope/": () => ({ body: { id: "ok" } }),
    "GET /heartbeat/ok": () => ({ body: "ok" }),
  });
});
afterAll(async () => sentry?.close());

describe("observability", () => {
  it("sends task failures to Sentry with tenant and provider tags and no secrets", async () => {
    process.env.SENTRY_DSN = `http://publickey@127.0.0.1:${sentry.port}/42`;
    resetConfig();
    expect(initSentry()).toBe(true);
    const err = new AppError("invalid_grant", "refresh failed", {
      context: { provider: "slack" },
    });
    (err as unknown as { headers: Record<string, string> }).headers = {
      authorization: "Bearer xoxb-SECRET-123",
    };
    const id = await captureFailure(err, {
      tenantId: "t-1",
      provider: "slack",
      taskId: "token-refresh-connection",
    });
    expect(id).toMatch(/^[0-9a-f]{32}$/);
    const [envelope] = sentry.requestsTo("POST /api/42/envelope/");
    expect(envelope).toBeDefined();
    const event = JSON.parse(envelope!.body.split("\n")[2]!) as { tags: Record<string, string> };
    expect(event.tags).toMatchObject({
      tenantId: "t-1",
      provider: "slack",
      taskId: "token-refresh-connection",
    });
    expect(envelope!.body).toContain("refresh failed");
    expect(envelope!.body).not.toContain("xoxb-SECRET-123");
  });

  it("pings the heartbeat after a sweep and reports, without throwing, when it cannot", async () => {
    expect(await pingHeartbeat(`${sentry.url}/heartbeat/ok`, "test")).toBe(true);
    expect(sentry.requestsTo("GET /heartbeat/ok")).toHaveLength(1);
    expect(await pingHeartbeat(`${sentry.url}/heartbeat/missing`, "test")).toBe(false);
    expect(await pingHeartbeat(undefined, "test")).toBe(false);
  });
});
