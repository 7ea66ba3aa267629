import { afterEach, describe, expect, it } from "vitest";
import { captureLogs } from "../../test/helpers/capture-logs.ts";
import { AppError } from "../errors.ts";
import { configureLogging, logger } from "./logger.ts";
import { timeProviderCall } from "./time-provider-call.ts";

let stopCapture: (() => void) | undefined;
function capture(): string[] {
  const captured = captureLogs();
  stopCapture = captured.stop;
  return captured.lines;
}

afterEach(() => stopCapture?.());

describe("logger", () => {
  it("writes one JSON object per line with the message and fields", () => {
    const lines = capture();
    logger.child({ tenantId: "t1" }).info("hello", { provider: "slack" });
    expect(JSON.parse(lines[0]!)).toMatchObject({
      level: "info",
      message: "hello",
      tenantId: "t1",
      provider: "slack",
    });
  });

  it("never writes tokens, keys, secrets, authorization headers or anything under credentials", () => {
    const lines = capture();
    logger.info("refresh", {
      accessToken: "at-SECRET-1",
      refresh_token: "rt-SECRET-2",
      apiKey: "key-SECRET-3",
      client_secret: "cs-SECRET-4",
      headers: { Authorization: "Bearer SECRET-5", "x-api-key": "SECRET-6" },
      credentials: { anything: "SECRET-7" },
      nested: [{ password: "SECRET-8" }],
      note: "sent Bearer SECRET-9 upstream",
      tokenExpiresAt: "2026-01-01T00:00:00Z",
    });
    logger.error("Basic U0VDUkVULTEw failed");
    const text = lines.join("\n");
    for (let i = 1; i <= 9; i++) expect(text).not.toContain(`SECRET-${i}`);
    expect(text).not.toContain("U0VDUkVULTEw");
    expect(text).toContain("2026-01-01T00:00:00Z");
  });

  it("logs each provider call once with status, duration, request id and retryability", async () => {
    const lines = capture();
    await timeProviderCall({ provider: "slack", operation: "auth.test" }, async () => ({
      value: 1,
      status: 200,
      requestId: "req_1",
    }));
    await expect(
      timeProviderCall({ provider: "slack", operation: "auth.test" }, async () => {
        throw Object.assign(new AppError("rate_limited", "slow down", { retryable: true }), { status: 429 });
      }),
    ).rejects.toThrow("slow down");
    const calls = lines.map((l) => JSON.parse(l)).filter((l) => l.message === "provider call");
    expect(calls).toHaveLength(2);
    expect(calls[0]).toMatchObject({
      provider: "slack",
      operation: "auth.test",
      status: 200,
      request_id: "req_1",
      retryable: false,
    });
    expect(typeof calls[0].duration_ms).toBe("number");
    expect(calls[1]).toMatchObject({ status: 429, retryable: true });
  });
});

describe("logger configuration", () => {
  afterEach(() => configureLogging(undefined));

  it("takes its level from an explicit environment (edge runtimes have no process.env)", () => {
    const lines = capture();
    configureLogging({ LOG_LEVEL: "error" });
    logger.warn("not written");
    logger.error("written");
    expect(lines.map((l) => JSON.parse(l).message)).toEqual(["written"]);
  });

  it("redacts before the sink sees the line, including bigint and error fields", () => {
    const lines = capture();
    logger.info("x", { count: 10n, err: new Error("Bearer abcdefgh failed"), password: "p-SECRET" });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("abcdefgh");
    expect(lines[0]).not.toContain("p-SECRET");
    expect(JSON.parse(lines[0]!)).toMatchObject({ count: "10", error: { name: "Error" } });
  });
});
