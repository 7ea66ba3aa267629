import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../local/sandbox/simulator.ts";
import { resetConfig } from "../src/config.ts";
import { AppError } from "../src/errors.ts";
import { pingHeartbeat } from "../src/observability/heartbeat.ts";
import { captureFailure, initSentry } from "../src/observability/sentry.ts";
import { createProviderHttpClient, providerTimeoutFromEnv } from "../src/providers/provider-http-client.ts";
import { captureLogs } from "./helpers/capture-logs.ts";

let sentry: Simulator;
beforeAll(async () => {
  sentry = await startSimulator({
    "POST /api/42/envelope/": () => ({ body: { id: "ok" } }),
    "GET /heartbeat/ok": () => ({ body: "ok" }),
    "GET /heartbeat/slow": () => ({ body: "ok" }),
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

  it("pings the heartbeat through the provider HTTP client (timed, logged once) and reports, without throwing, when it cannot", async () => {
    const http = createProviderHttpClient();
    const logs = captureLogs();
    try {
      expect(await pingHeartbeat(http, `${sentry.url}/heartbeat/ok`, "test")).toBe(true);
    } finally {
      logs.stop();
    }
    expect(sentry.requestsTo("GET /heartbeat/ok")).toHaveLength(1);
    const calls = logs.lines.map((l) => JSON.parse(l)).filter((l) => l.message === "provider call");
    expect(calls).toEqual([
      expect.objectContaining({ provider: "better_stack", operation: "heartbeat.ok", status: 200 }),
    ]);
    expect(await pingHeartbeat(http, `${sentry.url}/heartbeat/missing`, "test")).toBe(false);
    expect(await pingHeartbeat(http, undefined, "test")).toBe(false);
  });

  it("gives up a heartbeat ping after PROVIDER_TIMEOUT_MS", async () => {
    const http = createProviderHttpClient({
      timeoutMs: providerTimeoutFromEnv({ PROVIDER_TIMEOUT_MS: "200" }),
    });
    sentry.fault("GET /heartbeat/slow", { latencyMs: 1_500 });
    const started = performance.now();
    expect(await pingHeartbeat(http, `${sentry.url}/heartbeat/slow`, "test")).toBe(false);
    expect(performance.now() - started).toBeLessThan(1_400);
  });
});
