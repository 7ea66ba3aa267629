import { afterEach, describe, expect, it } from "vitest";
import { captureLogs } from "../../test/helpers/capture-logs.ts";
import { AppError } from "../errors.ts";
import { logger } from "./logger.ts";
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
