import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { type Simulator, startSimulator } from "../../local/sandbox/simulator.ts";
import {
  createProviderHttpClient,
  providerTimeoutFromEnv,
} from "../../src/providers/provider-http-client.ts";
import { captureLogs } from "../helpers/capture-logs.ts";

let sim: Simulator;
let logs: ReturnType<typeof captureLogs>;
const http = createProviderHttpClient({ timeoutMs: 1_500 });

beforeAll(async () => {
  logs = captureLogs();
  sim = await startSimulator({
    "GET /thing": () => ({ headers: { "x-request-id": "req_123" }, body: { ok: true } }),
  });
});
afterAll(async () => {
  logs.stop();
  await sim?.close();
});
beforeEach(() => {
  sim.clearFaults();
  logs.lines.length = 0;
});

const get = (timeoutMs?: number) =>
  http.request({
    provider: "acme",
    operation: "thing.get",
    url: `${sim.url}/thing`,
    ...(timeoutMs ? { timeoutMs } : {}),
  });
const failureOf = (promise: Promise<unknown>) =>
  promise.then(
    () => undefined,
    (err: unknown) => err,
  );
const providerLines = () =>
  logs.lines
    .map((l) => JSON.parse(l) as Record<string, unknown>)
    .filter((l) => l.message === "provider call");

describe("provider HTTP client", () => {
  it("returns the parsed answer and logs the call once with status, duration and request id", async () => {
    const response = await get();
    expect(response).toMatchObject({ status: 200, json: { ok: true }, requestId: "req_123" });
    expect(providerLines()).toEqual([
      expect.objectContaining({
        provider: "acme",
        operation: "thing.get",
        status: 200,
        request_id: "req_123",
        duration_ms: expect.any(Number),
      }),
    ]);
  });

  it.each([
    [401, { code: "unauthorized", retryable: false, reauthRequired: true }],
    [403, { code: "forbidden", retryable: false, reauthRequired: false }],
    [404, { code: "not_found", retryable: false }],
    [409, { code: "conflict", retryable: true }],
    [422, { code: "provider_rejected", retryable: false }],
    [500, { code: "provider_unavailable", retryable: true }],
    [503, { code: "provider_unavailable", retryable: true }],
  ])("classifies HTTP %i into the error taxonomy", async (status, expected) => {
    sim.fault("GET /thing", { status, times: 1 });
    expect(await failureOf(get())).toMatchObject({ ...expected, context: { status, provider: "acme" } });
    expect(providerLines()).toEqual([expect.objectContaining({ status, retryable: expected.retryable })]);
  });

  it.each([
    ["a top-level message", { message: "Token expired" }, "Token expired"],
    [
      "Stripe's nested error",
      { error: { type: "invalid_request_error", message: "Invalid API Key provided" } },
      "Invalid API Key provided",
    ],
    [
      "Plaid's error_message",
      { error_code: "INVALID_API_KEYS", error_message: "invalid client_id or secret provided" },
      "invalid client_id or secret provided",
    ],
  ])("names the provider's own explanation in the error (%s)", async (_what, body, detail) => {
    sim.fault("GET /thing", { status: 400, times: 1, body });
    expect(await failureOf(get())).toMatchObject({ message: `acme answered HTTP 400: ${detail}` });
  });

  it("turns a 429's Retry-After in seconds into retryAfterMs", async () => {
    sim.fault("GET /thing", { status: 429, retryAfter: 7, times: 1 });
    expect(await failureOf(get())).toMatchObject({
      code: "rate_limited",
      retryable: true,
      retryAfterMs: 7_000,
    });
  });

  it("turns a Retry-After HTTP date into the wait until that date", async () => {
    const at = new Date(Date.now() + 30_000);
    // The simulator's faults send Retry-After in seconds; an HTTP date comes from a route of its own.
    const dated = await startSimulator({
      "GET /thing": () => ({ status: 503, headers: { "retry-after": at.toUTCString() }, body: {} }),
    });
    try {
      const err = (await failureOf(
        http.request({ provider: "acme", operation: "thing.get", url: `${dated.url}/thing` }),
      )) as { retryAfterMs: number };
      expect(err).toMatchObject({ code: "provider_unavailable", retryable: true });
      expect(err.retryAfterMs).toBeGreaterThan(27_000);
      expect(err.retryAfterMs).toBeLessThanOrEqual(30_000);
    } finally {
      await dated.close();
    }
  });

  it("classifies a dropped connection as a retryable network error", async () => {
    sim.fault("GET /thing", { drop: true, times: 1 });
    expect(await failureOf(get())).toMatchObject({ code: "network_error", retryable: true });
    expect(providerLines()).toEqual([expect.objectContaining({ status: "error", retryable: true })]);
  });

  it("gives up after the configured timeout, and a request may only shorten it", async () => {
    sim.fault("GET /thing", { latencyMs: 4_000, times: 3 });
    let started = Date.now();
    expect(await failureOf(get())).toMatchObject({ code: "provider_timeout", retryable: true });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
    expect(Date.now() - started).toBeLessThan(3_500);
    started = Date.now();
    expect(await failureOf(get(30_000))).toMatchObject({ code: "provider_timeout" });
    expect(Date.now() - started).toBeLessThan(3_500);
    started = Date.now();
    expect(await failureOf(get(200))).toMatchObject({ code: "provider_timeout" });
    expect(Date.now() - started).toBeLessThan(1_200);
  });

  it("reads its timeout from PROVIDER_TIMEOUT_MS, falling back to 10 s for unusable values", () => {
    expect(providerTimeoutFromEnv({ PROVIDER_TIMEOUT_MS: "2500" })).toBe(2_500);
    expect(providerTimeoutFromEnv({})).toBe(10_000);
    expect(providerTimeoutFromEnv({ PROVIDER_TIMEOUT_MS: "soon" })).toBe(10_000);
  });
  it.each([
    ["a Bearer token", { headers: { authorization: "Bearer sk_live_echoed_token" } }, "sk_live_echoed_token"],
    [
      "Basic's user",
      { headers: { authorization: `Basic ${btoa("test_live_key_123:")}` } },
      "test_live_key_123",
    ],
    ["a secret-named header", { headers: { "xi-api-key": "xi_echoed_secret" } }, "xi_echoed_secret"],
    [
      "a JSON body's secret",
      { method: "POST", body: JSON.stringify({ client_id: "cid", secret: "plaid_echoed_secret" }) },
      "plaid_echoed_secret",
    ],
    [
      "a form body's secret",
      { method: "POST", body: new URLSearchParams({ client_secret: "form_echoed_secret" }) },
      "form_echoed_secret",
    ],
  ])(
    "never repeats %s that the provider echoes in its error, in the error or the log",
    async (_what, init, secret) => {
      sim.fault("*", { status: 401, body: { error: `Invalid API key provided: ${secret}` } });
      const err = (await failureOf(
        http.request({ provider: "acme", operation: "thing.get", url: `${sim.url}/thing`, ...init }),
      )) as Error;
      expect(err.message).toBe("acme answered HTTP 401: Invalid API key provided: [redacted]");
      expect(providerLines()).toHaveLength(1);
      expect(logs.lines.join("\n")).not.toContain(secret);
    },
  );
  it("keeps control characters (terminal escapes) of a provider's error text out of the message", async () => {
    sim.fault("*", {
      status: 500,
      body: { error: "down\u001b[2J\u001b]8;;https://evil.example\u0007click\r\nnow" },
    });
    const err = (await failureOf(get())) as Error;
    expect(err.message).toBe("acme answered HTTP 500: down [2J ]8;;https://evil.example click now");
  });
});
